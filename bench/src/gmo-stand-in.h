/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-scale's GetManagedObjects floor: a stand-in process on the bus that
 * answers with wand's reply, kept as the bytes wand sent (gmo-stand-in.c). */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* The stand-in's name: Debian's policy lets no one own a name or receive a
 * method call; bench/org.wand.Bench.conf lets root own this one and anyone
 * call its ObjectManager, in rules of the form wand's policy has. */
#define STAND_IN_BUS "org.wand.Bench"

/* Forks the stand-in. Its one line in line is empty once it owns its name,
 * or '!' and why it has no reply to send (wand's LimitsExceeded: its name and
 * message); it then serves until killed or the bus goes. */
pid_t gmo_stand_in_start(char *line, size_t size);
