/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* rtnetlink through libmnl, on sd-event. Two sockets:
 *
 * The monitor, bound to RTMGRP_LINK, carries every change to the links and
 * every dump of them, as one stream in the order the kernel queued it: the
 * kernel fills a dump's next part only when the previous one is read, so
 * what comes before a part in the stream is older than it and what comes
 * after is newer (the one exception is dealt with in link-cache.c). With
 * the dumps on a socket of their own, the two streams were read in some
 * order of ours: a stale part undid a newer change, or brought back a link
 * deleted since, for good.
 *
 * The request socket carries our own changes and their ACKs, nothing else,
 * so no ACK is ever lost to an overrun of the monitor. The kernel queues a
 * change's notification on the monitor before its ACK here: when the ACK is
 * read, the monitor is drained before anyone is told, and the cache shows
 * the change. Draining also finishes any dump under way, as each part read
 * makes the kernel queue the next. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "netlink.h"

#define RCVBUF_SIZE (8 * 1024 * 1024)
#define READ_SIZE 32768 /* MNL_SOCKET_DUMP_SIZE, absent from libmnl 1.0.4 */

typedef struct Request {
        uint32_t seq;
        NetlinkRequestFunc done; /* NULL once cancelled */
        void *userdata;
        struct Request *next;
} Request;

struct Netlink {
        sd_event *event;
        LinkCache *links;
        struct mnl_socket *monitor, *request;
        unsigned monitor_portid;
        sd_event_source *monitor_source, *request_source;
        sd_event_source *kick_source; /* a dump was asked for */
        uint32_t seq;
        Request *requests; /* set-link requests waiting for their ACK */

        uint32_t dump_seq;   /* of the dump under way, 0 if none */
        bool dump_intr;      /* a part of it was flagged NLM_F_DUMP_INTR */
        bool resync_wanted;  /* start a dump once the monitor is read empty */
        bool reading;        /* in process_monitor() */

        NetlinkDumpDoneFunc dump_done; /* who waits for netlink_dump() */
        void *dump_userdata;
        bool dump_waiter_armed; /* the dump under way started after it asked */

        _Alignas(struct nlmsghdr) char monitor_buf[READ_SIZE];
        _Alignas(struct nlmsghdr) char request_buf[READ_SIZE];
};

static Request *request_find(Netlink *nl, uint32_t seq);

/* The next sequence number: a request's id too, so never 0 (no request)
 * and, once the 32 bits have wrapped, none a request still waits with. */
static uint32_t next_seq(Netlink *nl) {
        do
                nl->seq++;
        while (nl->seq == 0 || nl->seq == nl->dump_seq || request_find(nl, nl->seq));
        return nl->seq;
}

void netlink_set_next_seq(Netlink *nl, uint32_t seq) {
        nl->seq = seq - 1;
}

static void tell_dump_waiter(Netlink *nl, int error) {
        NetlinkDumpDoneFunc done = nl->dump_done;
        void *userdata = nl->dump_userdata;

        nl->dump_done = NULL;
        nl->dump_userdata = NULL;
        nl->dump_waiter_armed = false;
        if (done)
                done(error, userdata);
}

/* Called only when the monitor has just been read empty: the first part,
 * which the kernel fills and queues before sendto() returns, finds room. */
static int start_dump(Netlink *nl) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifinfomsg *ifi;

        nlh->nlmsg_type = RTM_GETLINK;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        nlh->nlmsg_seq = next_seq(nl);
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;

        nl->resync_wanted = false;
        if (mnl_socket_sendto(nl->monitor, nlh, nlh->nlmsg_len) < 0) {
                int r = log_error_errno(errno, "Failed to request a dump of the kernel's links: %m");
                tell_dump_waiter(nl, r);
                return r;
        }
        nl->dump_seq = nlh->nlmsg_seq;
        nl->dump_intr = false;
        if (nl->dump_done)
                nl->dump_waiter_armed = true;
        link_cache_begin_resync(nl->links);
        return 0;
}

static void dump_finished(Netlink *nl, int error) {
        bool complete = error == 0 && !nl->dump_intr;

        nl->dump_seq = 0;
        link_cache_end_resync(nl->links, complete);
        if (error < 0) {
                if (nl->dump_waiter_armed)
                        tell_dump_waiter(nl, error);
                else
                        log_error_errno(error, "Failed to read the kernel's links: %m");
                return;
        }
        if (!complete)
                /* Links changed while the kernel walked them: one may have
                 * been skipped. */
                nl->resync_wanted = true;
        /* After an overrun during the dump, the waiter gets the next one. */
        if (nl->dump_waiter_armed && !nl->resync_wanted)
                tell_dump_waiter(nl, 0);
}

static void handle_monitor_message(Netlink *nl, const struct nlmsghdr *nlh) {
        bool ours = nl->dump_seq != 0 && nlh->nlmsg_seq == nl->dump_seq && nlh->nlmsg_pid == nl->monitor_portid;

        switch (nlh->nlmsg_type) {
        case RTM_NEWLINK:
        case RTM_DELLINK:
                /* Before applying it: the cache's callbacks may send
                 * requests, or ask for another dump. */
                if (ours && (nlh->nlmsg_flags & NLM_F_DUMP_INTR))
                        nl->dump_intr = true;
                link_cache_apply(nl->links, nlh);
                break;
        case NLMSG_DONE: {
                int error = 0;

                if (!ours)
                        break;
                if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
                        nl->dump_intr = true;
                if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(int)))
                        error = *(const int *) mnl_nlmsg_get_payload(nlh);
                dump_finished(nl, error < 0 ? error : 0);
                break;
        }
        case NLMSG_ERROR: {
                const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

                /* The kernel refused the dump request. */
                if (ours && nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*err)) && err->error < 0)
                        dump_finished(nl, err->error);
                break;
        }
        default:
                break;
        }
}

/* Reads and applies everything the monitor holds, in order. */
static int process_monitor(Netlink *nl) {
        /* Nested, it would apply newer messages before the rest of the
         * datagram being handled. Nothing it calls reads netlink, but a
         * callback some day might. */
        if (nl->reading)
                return 0;
        nl->reading = true;

        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl->monitor, nl->monitor_buf, sizeof(nl->monitor_buf));
                if (n < 0) {
                        int r = -errno;

                        if (r == -EINTR)
                                continue;
                        if (r == -ENOBUFS) {
                                /* Notifications were lost: only a dump can
                                 * tell what the kernel has now. What is still
                                 * queued was queued in order and is read as
                                 * usual. */
                                log_warning("Kernel link notifications overran the receive buffer; re-reading all links.");
                                nl->resync_wanted = true;
                                continue;
                        }
                        if (r == -EAGAIN && nl->resync_wanted && nl->dump_seq == 0 && start_dump(nl) >= 0)
                                continue; /* its parts are read as they come */
                        nl->reading = false;
                        if (r == -EAGAIN)
                                return 0;
                        return log_error_errno(r, "Failed to read from rtnetlink: %m");
                }

                int remaining = (int) n;
                for (const struct nlmsghdr *nlh = (const struct nlmsghdr *) nl->monitor_buf;
                     mnl_nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining))
                        handle_monitor_message(nl, nlh);
        }
}

static Request *request_find(Netlink *nl, uint32_t seq) {
        for (Request *r = nl->requests; r; r = r->next)
                if (r->seq == seq)
                        return r;
        return NULL;
}

static void request_unlink(Netlink *nl, Request *req) {
        for (Request **p = &nl->requests; *p; p = &(*p)->next)
                if (*p == req) {
                        *p = req->next;
                        return;
                }
}

static void request_complete(Netlink *nl, uint32_t seq, int error) {
        Request *req = request_find(nl, seq);

        if (!req)
                return;
        /* Apply what the change caused before telling anyone. Callbacks run
         * meanwhile may cancel this request; none removes it. */
        (void) process_monitor(nl);
        request_unlink(nl, req);
        if (req->done)
                req->done(error, req->userdata);
        free(req);
}

static int process_requests(Netlink *nl) {
        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl->request, nl->request_buf, sizeof(nl->request_buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 0;
                        return log_error_errno(errno, "Failed to read from rtnetlink: %m");
                }

                /* The buffer is ours alone: nothing the callbacks may call
                 * reads this socket. */
                int remaining = (int) n;
                for (const struct nlmsghdr *nlh = (const struct nlmsghdr *) nl->request_buf;
                     mnl_nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {
                        const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);

                        if (nlh->nlmsg_type == NLMSG_ERROR && nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(*err)))
                                request_complete(nl, nlh->nlmsg_seq, err->error); /* 0 or -errno */
                }
        }
}

static int on_monitor(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        (void) process_monitor(userdata);
        return 0;
}

static int on_request(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        (void) process_requests(userdata);
        return 0;
}

static int on_kick(sd_event_source *s, void *userdata) {
        (void) process_monitor(userdata);
        return 0;
}

int netlink_dump(Netlink *nl, NetlinkDumpDoneFunc done, void *userdata) {
        if (nl->dump_done)
                return -EBUSY;
        nl->dump_done = done;
        nl->dump_userdata = userdata;
        nl->dump_waiter_armed = false;
        nl->resync_wanted = true;
        /* Not from here: the monitor must be read empty first, and the
         * caller's callback must not run before this returns. */
        return sd_event_source_set_enabled(nl->kick_source, SD_EVENT_ONESHOT);
}

int netlink_set_link_up(Netlink *nl, int ifindex, bool up, NetlinkRequestFunc done, void *userdata,
                        uint32_t *ret_id) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifinfomsg *ifi;
        Request *req;

        nlh->nlmsg_type = RTM_NEWLINK;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        nlh->nlmsg_seq = next_seq(nl);
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        ifi->ifi_change = IFF_UP;
        ifi->ifi_flags = up ? IFF_UP : 0;

        req = malloc(sizeof(*req));
        if (!req)
                return -ENOMEM;
        if (mnl_socket_sendto(nl->request, nlh, nlh->nlmsg_len) < 0) {
                int r = -errno;
                free(req);
                return r;
        }
        *req = (Request) { .seq = nlh->nlmsg_seq, .done = done, .userdata = userdata, .next = nl->requests };
        nl->requests = req;
        if (ret_id)
                *ret_id = req->seq;
        return 0;
}

void netlink_cancel(Netlink *nl, uint32_t id) {
        Request *req = request_find(nl, id);
        if (req) {
                /* The answer may still come; it must find the request, but
                 * nobody to tell. */
                req->done = NULL;
                req->userdata = NULL;
        }
}

static int open_socket(struct mnl_socket **ret, unsigned groups) {
        struct mnl_socket *sock;
        int size = RCVBUF_SIZE;

        sock = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (!sock)
                return -errno;
        /* Root may exceed rmem_max; others get what the sysctl allows. */
        if (setsockopt(mnl_socket_get_fd(sock), SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
                (void) setsockopt(mnl_socket_get_fd(sock), SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
        if (mnl_socket_bind(sock, groups, MNL_SOCKET_AUTOPID) < 0) {
                int r = -errno;
                mnl_socket_close(sock);
                return r;
        }
        *ret = sock;
        return 0;
}

int netlink_new(Netlink **ret, sd_event *event, LinkCache *links) {
        Netlink *nl;
        int r;

        nl = calloc(1, sizeof(*nl));
        if (!nl)
                return -ENOMEM;
        nl->event = sd_event_ref(event);
        nl->links = links;

        r = open_socket(&nl->monitor, RTMGRP_LINK);
        if (r < 0)
                goto fail;
        nl->monitor_portid = mnl_socket_get_portid(nl->monitor);
        r = open_socket(&nl->request, 0);
        if (r < 0)
                goto fail;

        r = sd_event_add_io(event, &nl->monitor_source, mnl_socket_get_fd(nl->monitor), EPOLLIN, on_monitor, nl);
        if (r < 0)
                goto fail;
        r = sd_event_add_io(event, &nl->request_source, mnl_socket_get_fd(nl->request), EPOLLIN, on_request, nl);
        if (r < 0)
                goto fail;
        r = sd_event_add_defer(event, &nl->kick_source, on_kick, nl);
        if (r < 0)
                goto fail;
        r = sd_event_source_set_enabled(nl->kick_source, SD_EVENT_OFF);
        if (r < 0)
                goto fail;
        /* Changes by others first: an ACK drains the monitor anyway. */
        (void) sd_event_source_set_priority(nl->monitor_source, SD_EVENT_PRIORITY_NORMAL - 1);

        *ret = nl;
        return 0;
fail:
        netlink_free(nl);
        return r;
}

Netlink *netlink_free(Netlink *nl) {
        if (!nl)
                return NULL;
        sd_event_source_disable_unref(nl->monitor_source);
        sd_event_source_disable_unref(nl->request_source);
        sd_event_source_disable_unref(nl->kick_source);
        if (nl->monitor)
                mnl_socket_close(nl->monitor);
        if (nl->request)
                mnl_socket_close(nl->request);
        while (nl->requests) {
                Request *r = nl->requests;
                nl->requests = r->next;
                free(r);
        }
        sd_event_unref(nl->event);
        free(nl);
        return NULL;
}
