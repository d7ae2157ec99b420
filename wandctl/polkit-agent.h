/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A text authentication agent for the duration of wandctl, as systemctl
 * starts one: without any agent, polkit cannot ask for the password that
 * auth_admin wants, and the call fails with AccessDenied. */
#pragma once

#include <sys/types.h>

#define PKTTYAGENT "/usr/bin/pkttyagent"

/* Starts pkttyagent --fallback (it gives way to an agent the session already
 * has) and waits until it has registered with polkit. Returns its pid, 0
 * when it was not started (not installed), or -errno. */
pid_t polkit_agent_open(void);

/* Stops it and waits for it. */
void polkit_agent_close(pid_t pid);
