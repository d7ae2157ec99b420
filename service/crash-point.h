/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Named crash points for the crash-consistency test (tests/crash/): the
 * places where wand has done one of two things that must go together (a
 * file written but not yet renamed into place, a dialer started but not yet
 * recorded, a device claimed but not yet recorded, a teardown begun but not
 * finished). A SIGKILL from outside almost never lands in such a window, so
 * the test build of wand (wand-crash, built with the tests, never installed)
 * kills itself there on request. In wand itself CRASH_POINT() is nothing at
 * all: no code, no data. */
#pragma once

#if WAND_CRASH_POINTS
/* The nth pass (WAND_CRASH_AT, default 1) of the point named in
 * WAND_CRASH_POINT raises SIGKILL. With WAND_CRASH_ARM_FILE set, passes
 * count (and are delayed) only while that file exists. With
 * WAND_CRASH_DELAY_SEED set, every pass of every point first sleeps up to
 * WAND_CRASH_DELAY_USEC (default 20000), drawn from the seed, so that a kill
 * sent from outside at a random time lands inside these windows too. */
void crash_point_pass(const char *name);
#  define CRASH_POINT(name) crash_point_pass(name)
#else
#  define CRASH_POINT(name) do { } while (0)
#endif
