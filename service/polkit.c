/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See polkit.h. One Query per request message, keyed by the message itself:
 * the same sd_bus_message comes back when it is re-enqueued. uid 0 is
 * authorized without asking polkit (polkit would say yes anyway); the uid is
 * asked of the bus asynchronously, like everything else here. */
#include <errno.h>
#include <inttypes.h>
#include <search.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-event.h>

#include "bus-sender.h"
#include "log.h"
#include "macro.h"
#include "polkit.h"

#define POLKIT_BUS_NAME "org.freedesktop.PolicyKit1"
#define POLKIT_PATH "/org/freedesktop/PolicyKit1/Authority"
#define POLKIT_INTERFACE "org.freedesktop.PolicyKit1.Authority"

/* An authentication agent may wait for a password for minutes. */
#define INTERACTIVE_TIMEOUT_USEC (10ULL * 60 * 1000000)

/* Every check waiting at polkit holds one of the replies dbus-daemon lets
 * wand wait for; uid lookups (one per caller at a time) are counted too, to
 * be safe (dbus-daemon does not count calls to itself, another bus may).
 * Both draw on the budget wand shares with its questions to NetworkManager
 * (bus-budget.h), checks at most 96 of it. And one uid has at most 16 checks
 * waiting, so that six users fit at their maximum. Per uid, not per
 * connection: connections are free to open. */
#define MAX_CHECKS_PER_UID 16

typedef enum QueryPhase {
        QUERY_NEW,
        QUERY_ASK_UID,  /* the caller's one uid lookup */
        QUERY_WAIT_UID, /* another call of that caller, waiting for that lookup */
        QUERY_ASK_POLKIT,
        QUERY_DONE,
        _QUERY_PHASE_MAX,
} QueryPhase;

typedef struct Query {
        PolkitRegistry *registry;
        sd_bus_message *call;
        char *action;
        char **details; /* key, value, …, NULL */
        /* polkit_check_also(): once action is authorized, also_action is
         * asked without interaction; also_authorized is its answer. */
        char *also_action;
        bool asking_also;
        bool also_authorized;
        char *sender;
        uint32_t uid, pid;     /* once known: learned before the check, kept for the audit trail */
        bool known;
        char cancellation_id[64];
        bool interactive;
        QueryPhase phase;
        sd_bus_slot *call_slot;
        int result;            /* 1, or -EACCES / -EKEYREJECTED / -ENOBUFS */
        char *message;         /* for the error */
        bool redispatched;     /* DONE, and its call is being (or was) handled again */
        bool root;             /* authorized as uid 0, polkit not asked */
        struct Query *next;
} Query;

/* Unique bus names are never reused and a connection's uid never changes,
 * so a cache of recent callers saves repeat callers a round trip to the bus.
 * It must hold every caller of a busy moment: with 32 entries, 128 clients
 * calling in turn missed it on 85 % of their calls, each miss a round trip to
 * the bus and twice wand's CPU per call (bench/, issue 6). A ring says which
 * entry goes next; a tree finds them. */
#define UID_CACHE_SIZE 1024

/* A call authorized whose result is still to be written in the audit trail:
 * who sent it, as the bus said when it was decided. Not the cache above,
 * which a thousand other callers may have emptied by the time a Connect()
 * ends. Keyed by sender and cookie, which together name one call forever;
 * no reference to the message is kept. A call that ends without a result
 * entry (an internal error) leaves its entry behind: past DECIDED_MAX, the
 * oldest go, and their result falls back to the cache. Only authorized
 * calls are recorded, so no caller without rights can push one out. */
#define DECIDED_MAX 4096

typedef struct Decided {
        char *sender;
        uint64_t cookie;
        uint32_t uid, pid;
        struct Decided *older, *newer;
} Decided;

typedef struct UidCacheEntry {
        char *sender;
        uint32_t uid;
        uint32_t pid; /* for the audit trail */
} UidCacheEntry;

struct PolkitRegistry {
        sd_bus *bus;
        BusBudget *budget;
        UidCacheEntry uid_cache[UID_CACHE_SIZE];
        size_t uid_cache_next;
        void *uid_tree; /* tsearch tree of UidCacheEntry* by sender */
        void *decided_tree; /* tsearch tree of Decided* */
        Decided *decided_oldest, *decided_newest;
        size_t n_decided;
        Query *queries;
        uint64_t counter;
        size_t n;
        size_t n_phase[_QUERY_PHASE_MAX];
        size_t n_redispatched;
        sd_bus_slot *filter_slot;
        sd_bus_slot *owner_match_slot; /* callers leaving */
        sd_event_source *sweep_source;
};

static int on_message(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);
static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error);

int polkit_registry_new(PolkitRegistry **ret, sd_bus *bus, BusBudget *budget) {
        PolkitRegistry *reg = calloc(1, sizeof(*reg));
        int r;

        if (!reg)
                return -ENOMEM;
        reg->bus = sd_bus_ref(bus);
        reg->budget = budget;
        r = sd_bus_add_filter(bus, &reg->filter_slot, on_message, reg);
        /* Callers that leave while polkit decides: one watch for all, set
         * before any check is sent. The bus handles our messages in order,
         * so a caller that leaves after it is seen leaving, and polkit itself
         * refuses a subject that left before. A match per check (AddMatch,
         * its reply, RemoveMatch) cost wand and the bus three messages and
         * wand a wake-up per call (bench/, issue 15); callers come and go
         * far less often than they call. */
        if (r >= 0)
                r = sd_bus_add_match_async(bus, &reg->owner_match_slot,
                                           "type='signal',sender='org.freedesktop.DBus',path='/org/freedesktop/DBus',"
                                           "interface='org.freedesktop.DBus',member='NameOwnerChanged'",
                                           on_name_owner_changed, NULL, reg);
        if (r < 0) {
                polkit_registry_free(reg);
                return r;
        }
        *ret = reg;
        return 0;
}

/* The phases that wait for an answer, and the use of the budget each holds. */
static int phase_use(QueryPhase phase) {
        return phase == QUERY_ASK_UID      ? BUS_BUDGET_CALLER
               : phase == QUERY_ASK_POLKIT ? BUS_BUDGET_CHECK
                                           : -1;
}

static void phase_count(PolkitRegistry *reg, QueryPhase phase, bool enter) {
        int use = phase_use(phase);

        if (enter)
                reg->n_phase[phase]++;
        else
                reg->n_phase[phase]--;
        if (use >= 0 && enter)
                bus_budget_take(reg->budget, use);
        else if (use >= 0)
                bus_budget_release(reg->budget, use);
}

static void query_free(Query *q) {
        if (!q)
                return;
        for (Query **p = &q->registry->queries; *p; p = &(*p)->next)
                if (*p == q) {
                        *p = q->next;
                        q->registry->n--;
                        phase_count(q->registry, q->phase, false);
                        q->registry->n_redispatched -= q->redispatched;
                        break;
                }
        sd_bus_slot_unref(q->call_slot);
        sd_bus_message_unref(q->call);
        free(q->action);
        free(q->also_action);
        if (q->details)
                for (char **d = q->details; *d; d++)
                        free(*d);
        free(q->details);
        free(q->sender);
        free(q->message);
        free(q);
}

static void query_set_phase(Query *q, QueryPhase phase) {
        phase_count(q->registry, q->phase, false);
        phase_count(q->registry, phase, true);
        q->phase = phase;
}

static int uid_entry_compare(const void *a, const void *b) {
        return strcmp(((const UidCacheEntry *) a)->sender, ((const UidCacheEntry *) b)->sender);
}

static const UidCacheEntry *uid_cache_find(PolkitRegistry *reg, const char *sender) {
        UidCacheEntry key = { .sender = (char *) sender };
        void **p = tfind(&key, &reg->uid_tree, uid_entry_compare);
        return p ? *(UidCacheEntry **) p : NULL;
}

static const uint32_t *uid_cache_get(PolkitRegistry *reg, const char *sender) {
        const UidCacheEntry *e = uid_cache_find(reg, sender);
        return e ? &e->uid : NULL;
}

/* Who sent call, from the cache (unknown once pushed out). */
static void caller_from_cache(PolkitRegistry *reg, sd_bus_message *call, AuditCaller *ret) {
        const char *sender = sd_bus_message_get_sender(call);
        const UidCacheEntry *e = sender ? uid_cache_find(reg, sender) : NULL;

        *ret = (AuditCaller) { .name = strna(sender) };
        if (e)
                *ret = (AuditCaller) { .name = sender, .known = true, .uid = e->uid, .pid = e->pid };
}

static int decided_compare(const void *a, const void *b) {
        const Decided *x = a, *y = b;

        if (x->cookie != y->cookie)
                return x->cookie < y->cookie ? -1 : 1;
        return strcmp(x->sender, y->sender);
}

static Decided *decided_find(PolkitRegistry *reg, sd_bus_message *call) {
        Decided key = { .sender = (char *) sd_bus_message_get_sender(call) };
        void **p;

        if (!key.sender || sd_bus_message_get_cookie(call, &key.cookie) < 0)
                return NULL;
        p = tfind(&key, &reg->decided_tree, decided_compare);
        return p ? *(Decided **) p : NULL;
}

static void decided_free(PolkitRegistry *reg, Decided *d) {
        (void) tdelete(d, &reg->decided_tree, decided_compare);
        if (d->older)
                d->older->newer = d->newer;
        else
                reg->decided_oldest = d->newer;
        if (d->newer)
                d->newer->older = d->older;
        else
                reg->decided_newest = d->older;
        reg->n_decided--;
        free(d->sender);
        free(d);
}

/* call was authorized: keep who sent it for its result, if it has one. */
static void decided_put(PolkitRegistry *reg, sd_bus_message *call, const AuditCaller *caller) {
        Decided *d;

        if (!caller->known || !audit_has_result(call))
                return;
        d = decided_find(reg, call);
        if (d) {
                d->uid = caller->uid;
                d->pid = caller->pid;
                return;
        }
        d = calloc(1, sizeof(*d));
        if (!d || !(d->sender = strdup(caller->name)) || sd_bus_message_get_cookie(call, &d->cookie) < 0 ||
            !tsearch(d, &reg->decided_tree, decided_compare)) {
                if (d)
                        free(d->sender);
                free(d);
                log_oom();
                return;
        }
        d->uid = caller->uid;
        d->pid = caller->pid;
        d->older = reg->decided_newest;
        if (d->older)
                d->older->newer = d;
        else
                reg->decided_oldest = d;
        reg->decided_newest = d;
        if (++reg->n_decided > DECIDED_MAX) {
                log_debug("More than %d authorized calls are waiting for their result; the oldest one's caller "
                          "will be looked up when it ends.",
                          DECIDED_MAX);
                decided_free(reg, reg->decided_oldest);
        }
}

void polkit_take_caller(PolkitRegistry *reg, sd_bus_message *call, AuditCaller *ret) {
        Decided *d = decided_find(reg, call);

        if (!d) {
                caller_from_cache(reg, call, ret);
                return;
        }
        *ret = (AuditCaller) { .name = sd_bus_message_get_sender(call), .known = true, .uid = d->uid, .pid = d->pid };
        decided_free(reg, d);
}

static void uid_cache_put(PolkitRegistry *reg, const char *sender, uint32_t uid, uint32_t pid) {
        UidCacheEntry *e = &reg->uid_cache[reg->uid_cache_next];
        char *s;

        if (uid_cache_get(reg, sender))
                return; /* two first calls of one caller both asked */
        s = strdup(sender);
        if (!s)
                return;
        if (e->sender) {
                tdelete(e, &reg->uid_tree, uid_entry_compare);
                free(e->sender);
        }
        *e = (UidCacheEntry) { s, uid, pid };
        if (!tsearch(e, &reg->uid_tree, uid_entry_compare)) {
                free(e->sender);
                *e = (UidCacheEntry) {};
                return;
        }
        reg->uid_cache_next = (reg->uid_cache_next + 1) % UID_CACHE_SIZE;
}

static void free_nothing(void *p) {
        (void) p;
}

PolkitRegistry *polkit_registry_free(PolkitRegistry *reg) {
        if (!reg)
                return NULL;
        /* Their callers get NoReply from the bus once wand's connection
         * closes; the count also shows a query that outlived its call. */
        if (reg->n > 0)
                log_info("Exiting with %zu authorization check%s still open.", reg->n, reg->n == 1 ? "" : "s");
        tdestroy(reg->uid_tree, free_nothing); /* the ring owns the entries */
        while (reg->decided_oldest)
                decided_free(reg, reg->decided_oldest);
        for (size_t k = 0; k < UID_CACHE_SIZE; k++)
                free(reg->uid_cache[k].sender);
        while (reg->queries)
                query_free(reg->queries);
        sd_bus_slot_unref(reg->filter_slot);
        sd_bus_slot_unref(reg->owner_match_slot);
        sd_event_source_disable_unref(reg->sweep_source);
        sd_bus_unref(reg->bus);
        free(reg);
        return NULL;
}

size_t polkit_pending(PolkitRegistry *reg) {
        return reg->n;
}

static Query *query_find(PolkitRegistry *reg, sd_bus_message *call) {
        for (Query *q = reg->queries; q; q = q->next)
                if (q->call == call)
                        return q;
        return NULL;
}

/* A call handled again after its answer came is either consulted (and the
 * answer consumed) or answered without it — the fallback's InvalidHandle
 * when its interface was deleted meanwhile, or anything else that answers
 * before polkit_check() is reached. The registry does not depend on which:
 * whatever is left of a call whose handling is over is dropped. That is the
 * case once the next message is dispatched, or at the latest on the next
 * turn of the event loop. */
static void sweep(PolkitRegistry *reg) {
        for (Query *q = reg->queries, *next; q && reg->n_redispatched > 0; q = next) {
                next = q->next;
                if (q->redispatched) {
                        log_debug("%s's call was answered without its authorization (%s); forgetting it.", q->sender,
                                  q->action);
                        query_free(q);
                }
        }
}

static int on_sweep(sd_event_source *s, void *userdata) {
        sweep(userdata);
        return 0;
}

static int on_message(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        PolkitRegistry *reg = userdata;
        sd_event *event;
        Query *q;
        int r;

        sweep(reg); /* the previous message's handling is over */
        if (reg->n_phase[QUERY_DONE] == 0)
                return 0;
        q = query_find(reg, m);
        if (!q || q->phase != QUERY_DONE)
                return 0;

        q->redispatched = true;
        reg->n_redispatched++;
        if (!reg->sweep_source) {
                event = sd_bus_get_event(reg->bus);
                r = event ? sd_event_add_defer(event, &reg->sweep_source, on_sweep, reg) : -ENXIO;
                if (r < 0) {
                        log_warning_errno(r, "Cannot schedule the cleanup of answered authorization checks: %m");
                        return 0; /* the next message sweeps */
                }
        }
        r = sd_event_source_set_enabled(reg->sweep_source, SD_EVENT_ONESHOT);
        if (r < 0)
                log_warning_errno(r, "Cannot schedule the cleanup of answered authorization checks: %m");
        return 0;
}

/* The answer is in: run the handler again. */
static void query_done(Query *q, int result, const char *message) {
        int r;

        query_set_phase(q, QUERY_DONE);
        q->result = result;
        free(q->message);
        q->message = message ? strdup(message) : NULL;
        q->call_slot = sd_bus_slot_unref(q->call_slot);

        r = sd_bus_enqueue_for_read(q->registry->bus, q->call);
        if (r < 0) {
                log_error_errno(r, "Failed to requeue a call after its authorization check: %m");
                (void) sd_bus_reply_method_errorf(q->call, SD_BUS_ERROR_FAILED, "Internal error: %s", strerror(-r));
                query_free(q);
        }
}

static void query_deny(Query *q, int result, const char *format, ...) _printf_(3, 4);
static void query_deny(Query *q, int result, const char *format, ...) {
        _cleanup_free_ char *msg = NULL;
        va_list ap;

        va_start(ap, format);
        if (vasprintf(&msg, format, ap) < 0)
                msg = NULL;
        va_end(ap);
        query_done(q, result, msg);
}

static int ask_polkit(Query *q);

static int on_check_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Query *q = userdata;
        const sd_bus_error *e;
        int authorized, challenge, r;

        q->call_slot = sd_bus_slot_unref(q->call_slot);

        e = sd_bus_message_get_error(reply);
        if (e && q->asking_also) {
                log_warning("polkit failed to answer for %s (%s): %s", q->also_action, e->name, strempty(e->message));
                query_done(q, 1, NULL); /* action stays authorized, also_action is not */
                return 0;
        }
        if (e) {
                if (sd_bus_error_has_names(e, SD_BUS_ERROR_SERVICE_UNKNOWN, SD_BUS_ERROR_NAME_HAS_NO_OWNER)) {
                        log_warning("polkit is not on the bus; %s denied to %s.", q->action, q->sender);
                        query_deny(q, -EACCES, "polkit is not running, so only root may do this (%s).", q->action);
                } else {
                        log_warning("polkit failed to answer for %s (%s): %s", q->action, e->name, strempty(e->message));
                        query_deny(q, -EACCES, "The authorization check for %s failed (%s), so it is denied.",
                                   q->action, e->name);
                }
                return 0;
        }

        r = sd_bus_message_enter_container(reply, 'r', "bba{ss}");
        if (r >= 0)
                r = sd_bus_message_read(reply, "bb", &authorized, &challenge);
        if (r < 0 && q->asking_also) {
                log_error_errno(r, "polkit sent a malformed answer for %s: %m", q->also_action);
                query_done(q, 1, NULL);
                return 0;
        }
        if (r < 0) {
                log_error_errno(r, "polkit sent a malformed answer for %s: %m", q->action);
                query_deny(q, -EACCES, "polkit's answer for %s could not be read, so it is denied.", q->action);
                return 0;
        }

        if (q->asking_also) {
                /* Only what it reveals depends on it: no is no error. */
                q->also_authorized = authorized;
                query_done(q, 1, NULL);
        } else if (authorized && q->also_action) {
                q->asking_also = true;
                r = ask_polkit(q);
                if (r < 0) {
                        log_error_errno(r, "Failed to ask polkit about %s: %m", q->also_action);
                        query_done(q, 1, NULL); /* fails closed: also_authorized stays false */
                }
        } else if (authorized)
                query_done(q, 1, NULL);
        else if (challenge && !q->interactive)
                query_deny(q, -EKEYREJECTED,
                           "Authentication is required for %s; call again allowing interactive authorization.",
                           q->action);
        else
                query_deny(q, -EACCES, "Not authorized by polkit for %s.", q->action);
        return 0;
}

static int ask_polkit(Query *q) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        PolkitRegistry *reg = q->registry;
        const char *action = q->asking_also ? q->also_action : q->action;
        bool interactive = q->interactive && !q->asking_also;
        int r;

        /* Each check polkit may be asked to cancel has its own id. */
        snprintf(q->cancellation_id, sizeof(q->cancellation_id), "wand-%d-%" PRIu64, (int) getpid(), ++reg->counter);

        /* The caller is watched already (polkit_registry_new()). */
        r = sd_bus_message_new_method_call(reg->bus, &m, POLKIT_BUS_NAME, POLKIT_PATH, POLKIT_INTERFACE,
                                           "CheckAuthorization");
        if (r < 0)
                return r;
        /* Subject: the caller's bus name, never a pid (pids are reused). */
        r = sd_bus_message_append(m, "(sa{sv})s", "system-bus-name", 1, "name", "s", q->sender, action);
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'a', "{ss}");
        if (r < 0)
                return r;
        for (char **d = q->details; d && d[0] && d[1]; d += 2) {
                r = sd_bus_message_append(m, "{ss}", d[0], d[1]);
                if (r < 0)
                        return r;
        }
        r = sd_bus_message_close_container(m);
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "us", (uint32_t) (interactive ? 1 : 0), q->cancellation_id);
        if (r < 0)
                return r;

        query_set_phase(q, QUERY_ASK_POLKIT);
        return sd_bus_call_async(reg->bus, &q->call_slot, m, on_check_reply, q,
                                 interactive ? INTERACTIVE_TIMEOUT_USEC : 0);
}

static int decide_for_uid(Query *q, uint32_t uid, uint32_t pid);

/* The oldest query of sender in phase (the list has the newest first). */
static Query *query_find_sender(PolkitRegistry *reg, const char *sender, QueryPhase phase) {
        Query *found = NULL;

        for (Query *q = reg->queries; q; q = q->next)
                if (q->phase == phase && streq(q->sender, sender))
                        found = q;
        return found;
}

/* GetConnectionCredentials' a{sv}: UnixUserID is required, ProcessID is
 * for the audit trail (0 when the bus did not say). */
static int read_credentials(sd_bus_message *reply, uint32_t *ret_uid, uint32_t *ret_pid) {
        bool have_uid = false;
        int r;

        *ret_pid = 0;
        r = sd_bus_message_enter_container(reply, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(reply, 'e', "sv")) > 0) {
                const char *key;

                r = sd_bus_message_read(reply, "s", &key);
                if (r < 0)
                        return r;
                if (streq(key, "UnixUserID")) {
                        r = sd_bus_message_read(reply, "v", "u", ret_uid);
                        have_uid = r >= 0;
                } else if (streq(key, "ProcessID"))
                        r = sd_bus_message_read(reply, "v", "u", ret_pid);
                else
                        r = sd_bus_message_skip(reply, "v");
                if (r < 0)
                        return r;
                r = sd_bus_message_exit_container(reply);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        r = sd_bus_message_exit_container(reply);
        if (r < 0)
                return r;
        return have_uid ? 0 : -EBADMSG;
}

/* The bus said who q's caller is. One lookup per caller: its other calls
 * meanwhile wait for this answer too, so that one connection sending many
 * calls at once takes one lookup, not all there are. */
static int on_uid_reply(sd_bus_message *reply, void *userdata, sd_bus_error *ret_error) {
        Query *q = userdata, *w;
        PolkitRegistry *reg = q->registry;
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        char sender[256]; /* a bus name has at most 255 characters; q may go */
        uint32_t uid = 0, pid = 0;
        int r = 0;

        q->call_slot = sd_bus_slot_unref(q->call_slot);
        query_set_phase(q, QUERY_WAIT_UID);
        snprintf(sender, sizeof(sender), "%s", q->sender);
        if (!e) {
                r = read_credentials(reply, &uid, &pid);
                if (r >= 0)
                        uid_cache_put(reg, sender, uid, pid);
        }

        /* Each step takes w out of QUERY_WAIT_UID. */
        while ((w = query_find_sender(reg, sender, QUERY_WAIT_UID)))
                if (e && sd_bus_error_has_name(e, SD_BUS_ERROR_NAME_HAS_NO_OWNER)) {
                        /* The caller left before we knew who it was. */
                        log_debug("%s left before its authorization check; dropping its call.", sender);
                        query_free(w);
                } else if (e)
                        query_deny(w, -EACCES, "Could not identify the caller (%s).", e->name);
                else if (r < 0)
                        query_deny(w, -EACCES, "Could not identify the caller.");
                else
                        (void) decide_for_uid(w, uid, pid);
        return 0;
}

/* 0 when one more check for sender, of uid, fits (uid NULL: not known
 * yet, so a lookup first, unless one is under way); otherwise -ENOBUFS, and
 * *ret_message (NULL when out of memory) says why and what to do. */
static int over_limit(PolkitRegistry *reg, const char *sender, const uint32_t *uid, char **ret_message) {
        size_t checks = reg->n_phase[QUERY_ASK_POLKIT], mine = 0;
        int r;

        *ret_message = NULL;
        if (!uid) {
                if (bus_budget_has_room(reg->budget, BUS_BUDGET_CALLER) || query_find_sender(reg, sender, QUERY_ASK_UID))
                        return 0;
                r = asprintf(ret_message, "wand is waiting for %zu answers on the bus, as many as it allows; "
                                          "call again in a moment.",
                             reg->budget->total);
        } else if (checks >= bus_budget_share(BUS_BUDGET_CHECK))
                r = asprintf(ret_message, "%zu authorization checks are waiting for polkit, as many as wand allows; "
                                          "call again when some have been answered.",
                             checks);
        else if (!bus_budget_has_room(reg->budget, BUS_BUDGET_CHECK))
                r = asprintf(ret_message, "wand is waiting for %zu answers on the bus, as many as it allows; "
                                          "call again in a moment.",
                             reg->budget->total);
        else {
                for (Query *q = reg->queries; q; q = q->next)
                        mine += q->phase == QUERY_ASK_POLKIT && q->uid == *uid;
                if (mine < MAX_CHECKS_PER_UID)
                        return 0;
                r = asprintf(ret_message, "uid %" PRIu32 " has %d authorization checks waiting for polkit, as many as "
                                          "wand allows one user; answer or dismiss its open authentication dialogs "
                                          "(or let them time out), then call again.",
                             *uid, MAX_CHECKS_PER_UID);
        }
        if (r < 0)
                *ret_message = NULL;
        return -ENOBUFS;
}

static int decide_for_uid(Query *q, uint32_t uid, uint32_t pid) {
        _cleanup_free_ char *limit = NULL;
        int r;

        q->uid = uid;
        q->pid = pid;
        q->known = true;
        if (uid == 0) {
                q->root = true;
                q->also_authorized = true;
                query_done(q, 1, NULL);
                return 0;
        }
        r = over_limit(q->registry, q->sender, &uid, &limit);
        if (r < 0) {
                log_debug("%s (uid %" PRIu32 ") refused: %s", q->sender, uid, strempty(limit));
                query_done(q, r, limit ?: "Too many authorization checks are waiting for polkit; call again later.");
                return 0;
        }

        r = ask_polkit(q);
        if (r < 0) {
                log_error_errno(r, "Failed to ask polkit about %s: %m", q->action);
                query_deny(q, -EACCES, "The authorization check for %s could not be sent, so it is denied.", q->action);
        }
        return 0;
}

/* A caller left: its checks still at polkit are cancelled and forgotten.
 * Its calls already answered are on their way back to their handlers; the
 * others have not asked polkit yet (its uid lookup fails, as polkit would). */
static int on_name_owner_changed(sd_bus_message *m, void *userdata, sd_bus_error *ret_error) {
        PolkitRegistry *reg = userdata;
        const char *name, *old_owner, *new_owner;

        /* Anyone may send wand this signal: believed, it would cancel
         * another user's check and leave that call without an answer. */
        if (!bus_message_from_driver(m)) {
                log_debug("Ignoring NameOwnerChanged from %s: only the bus sends it.",
                          strna(sd_bus_message_get_sender(m)));
                return 0;
        }
        if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0)
                return 0;
        if (name[0] != ':' || !isempty(new_owner))
                return 0; /* a well-known name, or one taken: not a caller leaving */

        for (Query *q = reg->queries, *next; q; q = next) {
                next = q->next;
                if (q->phase != QUERY_ASK_POLKIT || !streq(q->sender, name))
                        continue;
                log_info("%s left while polkit was deciding %s; cancelling the check.", q->sender, q->action);
                (void) sd_bus_call_method_async(reg->bus, NULL, POLKIT_BUS_NAME, POLKIT_PATH, POLKIT_INTERFACE,
                                                "CancelCheckAuthorization", NULL, NULL, "s", q->cancellation_id);
                query_free(q);
        }
        return 0;
}

static int query_start(PolkitRegistry *reg, sd_bus_message *call, const char *action, const char *const *details,
                       const char *also_action, const UidCacheEntry *known) {
        Query *q;
        size_t n = 0;
        int r;

        q = calloc(1, sizeof(*q));
        if (!q)
                return -ENOMEM;
        q->registry = reg;
        q->call = sd_bus_message_ref(call);
        q->next = reg->queries;
        reg->queries = q;
        reg->n++;
        reg->n_phase[QUERY_NEW]++;

        q->action = strdup(action);
        q->sender = strdup(sd_bus_message_get_sender(call));
        if (also_action && !(q->also_action = strdup(also_action)))
                goto oom;
        for (; details && details[n]; n++)
                ;
        q->details = calloc(n + 1, sizeof(char *));
        if (!q->action || !q->sender || !q->details)
                goto oom;
        for (size_t k = 0; k < n; k++)
                if (!(q->details[k] = strdup(details[k])))
                        goto oom;
        q->interactive = sd_bus_message_get_allow_interactive_authorization(call) > 0;

        if (known) {
                /* A caller we know and who is not root: straight to polkit. */
                q->uid = known->uid;
                q->pid = known->pid;
                q->known = true;
                r = ask_polkit(q);
                if (r < 0)
                        goto fail;
                return 0;
        }

        if (query_find_sender(reg, q->sender, QUERY_ASK_UID)) {
                query_set_phase(q, QUERY_WAIT_UID);
                return 0;
        }
        query_set_phase(q, QUERY_ASK_UID);
        r = sd_bus_call_method_async(reg->bus, &q->call_slot, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                     "org.freedesktop.DBus", "GetConnectionCredentials", on_uid_reply, q, "s",
                                     q->sender);
        if (r < 0)
                goto fail;
        return 0;
oom:
        r = -ENOMEM;
fail:
        query_free(q);
        return r;
}

static const char *detail(const char *const *details, const char *key) {
        for (size_t k = 0; details && details[k] && details[k + 1]; k += 2)
                if (streq(details[k], key))
                        return details[k + 1];
        return NULL;
}

/* A decision for the audit trail, with what the bus told of the caller
 * before it was decided; kept for the result when it is a yes. */
static void audit(PolkitRegistry *reg, sd_bus_message *call, const AuditCaller *caller, const char *action,
                  const char *const *details, AuditVerdict verdict, const char *why) {
        audit_decision(call, caller, action, detail(details, "interface"), verdict, why);
        if (verdict == AUDIT_VERDICT_ROOT || verdict == AUDIT_VERDICT_AUTHORIZED)
                decided_put(reg, call, caller);
}

/* Was polkit asked exactly this? The handler reads the state again after the
 * wait, and the interface's Device may have changed by Reload, or the
 * interface been deleted and created again under the same name. */
static bool query_asked(const Query *q, const char *action, const char *const *details, const char *also_action) {
        size_t k = 0;

        if (!streq(q->action, action) || !streq_ptr(q->also_action, also_action))
                return false;
        for (; details && details[k]; k++)
                if (!q->details[k] || !streq(q->details[k], details[k]))
                        return false;
        return !q->details[k];
}

int polkit_check_also(PolkitRegistry *reg, sd_bus_message *call, const char *action, const char *const *details,
                      const char *also_action, bool *ret_also, sd_bus_error *error) {
        _cleanup_free_ char *limit = NULL;
        const UidCacheEntry *known;
        AuditCaller caller;
        Query *q;
        int r;

        if (ret_also)
                *ret_also = false;

        if (!sd_bus_message_get_sender(call))
                return sd_bus_error_set(error, SD_BUS_ERROR_ACCESS_DENIED, "Callers must come through the bus.");

        q = query_find(reg, call);
        if (q) {
                if (q->phase != QUERY_DONE)
                        return 0;
                if (query_asked(q, action, details, also_action)) {
                        r = q->result;
                        if (ret_also)
                                *ret_also = r > 0 && q->also_authorized;
                        if (r < 0)
                                sd_bus_error_set(error,
                                                 r == -EKEYREJECTED ? SD_BUS_ERROR_INTERACTIVE_AUTHORIZATION_REQUIRED
                                                 : r == -ENOBUFS    ? SD_BUS_ERROR_LIMITS_EXCEEDED
                                                                    : SD_BUS_ERROR_ACCESS_DENIED,
                                                 q->message ?: "Access denied.");
                        caller = (AuditCaller) { .name = q->sender, .known = q->known, .uid = q->uid, .pid = q->pid };
                        audit(reg, call, &caller, action, details,
                              r > 0 ? (q->root ? AUDIT_VERDICT_ROOT : AUDIT_VERDICT_AUTHORIZED)
                              : r == -EKEYREJECTED ? AUDIT_VERDICT_CHALLENGE
                              : r == -ENOBUFS      ? AUDIT_VERDICT_LIMIT
                                                   : AUDIT_VERDICT_DENIED,
                              q->message);
                        /* What it shows beyond action is on the trail too;
                         * a no only leaves something out of the answer. */
                        if (also_action && r > 0 && q->also_authorized && !q->root)
                                audit(reg, call, &caller, also_action, details, AUDIT_VERDICT_AUTHORIZED, NULL);
                        query_free(q);
                        return r;
                }
                /* The answer was for something else: ask about this. */
                log_debug("What %s asked changed while polkit decided about %s; asking again.", q->sender, q->action);
                query_free(q);
        }

        known = uid_cache_find(reg, sd_bus_message_get_sender(call));
        caller_from_cache(reg, call, &caller);
        if (known && known->uid == 0) {
                audit(reg, call, &caller, action, details, AUDIT_VERDICT_ROOT, NULL);
                if (ret_also)
                        *ret_also = true;
                return 1;
        }

        r = over_limit(reg, sd_bus_message_get_sender(call), known ? &known->uid : NULL, &limit);
        if (r < 0) {
                const char *why = limit ?: "Too many authorization checks are waiting for polkit; call again later.";
                audit(reg, call, &caller, action, details, AUDIT_VERDICT_LIMIT, why);
                return sd_bus_error_set(error, SD_BUS_ERROR_LIMITS_EXCEEDED, why);
        }

        r = query_start(reg, call, action, details, also_action, known);
        if (r < 0) {
                log_error_errno(r, "Failed to start the authorization check for %s: %m", action);
                /* A failure of the polkit call: denied (wand fails closed),
                 * never a name sd-bus would make of the errno value. */
                sd_bus_error_setf(error, SD_BUS_ERROR_ACCESS_DENIED, "Could not check authorization: %s", strerror(-r));
                return r;
        }
        return 0;
}

int polkit_check(PolkitRegistry *reg, sd_bus_message *call, const char *action, const char *const *details,
                 sd_bus_error *error) {
        return polkit_check_also(reg, call, action, details, NULL, NULL, error);
}
