/* rtnetlink through libmnl, on sd-event, feeding a LinkCache. Two sockets: a
 * monitor bound to RTMGRP_LINK for changes made by anyone, and a request
 * socket for dumps and our own changes. Before a request's answer is handed out the monitor is
 * drained: the kernel queues a change's notification before its ACK, so the
 * cache then shows the change. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "log.h"
#include "netlink.h"

#define RCVBUF_SIZE (8 * 1024 * 1024)

typedef struct Request {
        uint32_t seq;
        bool dump;
        NetlinkRequestFunc done;           /* set-link requests */
        NetlinkDumpDoneFunc dump_done;     /* dumps */
        void *userdata;
        struct Request *next;
} Request;

struct Netlink {
        sd_event *event;
        struct mnl_socket *monitor, *request;
        sd_event_source *monitor_source, *request_source;
        uint32_t seq;
        Request *requests;

        LinkCache *links;
        bool dumping, redump;
};

static int start_dump(Netlink *nl, NetlinkDumpDoneFunc done, void *userdata);

static void request_complete(Netlink *nl, Request *req, int error);

static int process_socket(Netlink *nl, struct mnl_socket *sock, bool is_monitor);

static Request **request_find(Netlink *nl, uint32_t seq) {
        for (Request **p = &nl->requests; *p; p = &(*p)->next)
                if ((*p)->seq == seq)
                        return p;
        return NULL;
}

static void request_complete(Netlink *nl, Request *req, int error) {
        Request **p = request_find(nl, req->seq);

        if (p)
                *p = req->next;

        if (req->dump) {
                nl->dumping = false;
                link_cache_end_resync(nl->links, error == 0);
                if (req->dump_done)
                        req->dump_done(error, req->userdata);
                if (nl->redump) {
                        nl->redump = false;
                        (void) start_dump(nl, NULL, NULL);
                }
        } else {
                /* Read what the change caused before telling anyone. */
                (void) process_socket(nl, nl->monitor, true);
                if (req->done)
                        req->done(error, req->userdata);
        }
        free(req);
}

static void handle_message(Netlink *nl, const struct nlmsghdr *nlh, bool is_monitor) {
        Request **p = NULL;

        if (!is_monitor && nlh->nlmsg_seq != 0)
                p = request_find(nl, nlh->nlmsg_seq);

        switch (nlh->nlmsg_type) {
        case RTM_NEWLINK:
        case RTM_DELLINK:
                link_cache_apply(nl->links, nlh);
                if (p && (*p)->dump && (nlh->nlmsg_flags & NLM_F_DUMP_INTR))
                        nl->redump = true;
                break;
        case NLMSG_DONE:
                if (p) {
                        if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
                                nl->redump = true;
                        request_complete(nl, *p, 0);
                }
                break;
        case NLMSG_ERROR: {
                const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
                if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err)))
                        break;
                if (p)
                        request_complete(nl, *p, err->error); /* 0 or -errno */
                break;
        }
        default:
                break;
        }
}

/* Reads and drops what the socket holds now. */
static void discard_queued(struct mnl_socket *sock, char *buf, size_t size) {
        /* Bounded: notifications that keep coming are newer than the dump
         * that follows, and are read from then on. */
        for (size_t dropped = 0; dropped < 64u * 1024 * 1024;) {
                ssize_t n = mnl_socket_recvfrom(sock, buf, size);
                if (n < 0 && (errno == EINTR || errno == ENOBUFS))
                        continue;
                if (n <= 0)
                        return;
                dropped += (size_t) n;
        }
}

static int process_socket(Netlink *nl, struct mnl_socket *sock, bool is_monitor) {
        static char buf[32768]; /* MNL_SOCKET_DUMP_SIZE, absent from libmnl 1.0.4 */

        for (;;) {
                ssize_t n = mnl_socket_recvfrom(sock, buf, sizeof(buf));
                if (n < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                return 0;
                        if (errno == ENOBUFS && is_monitor) {
                                /* Notifications were lost: only a dump can
                                 * tell what the kernel has now. What is still
                                 * queued is older than the dump: applied after
                                 * it started, it would bring back links the
                                 * kernel has deleted since (stamped with the
                                 * dump's generation, they are never removed). */
                                log_warning("Kernel link notifications overran the receive buffer; re-reading all links.");
                                discard_queued(sock, buf, sizeof(buf));
                                if (nl->dumping)
                                        nl->redump = true;
                                else
                                        (void) start_dump(nl, NULL, NULL);
                                continue;
                        }
                        return log_error_errno(errno, "Failed to read from rtnetlink: %m");
                }

                /* Handling a message may complete a request, whose callback
                 * may send more: work on a copy of this datagram. */
                size_t len = (size_t) n;
                _cleanup_free_ char *copy = malloc(len);
                if (!copy)
                        return log_oom();
                memcpy(copy, buf, len);

                int remaining = (int) len;
                for (const struct nlmsghdr *nlh = (const struct nlmsghdr *) copy; mnl_nlmsg_ok(nlh, remaining);
                     nlh = mnl_nlmsg_next(nlh, &remaining))
                        handle_message(nl, nlh, is_monitor);
        }
}

static int on_monitor(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Netlink *nl = userdata;
        (void) process_socket(nl, nl->monitor, true);
        return 0;
}

static int on_request(sd_event_source *s, int fd, uint32_t revents, void *userdata) {
        Netlink *nl = userdata;
        (void) process_socket(nl, nl->request, false);
        return 0;
}

/* Sends nlh and records who waits for the answer; returns its sequence
 * number (> 0) or -errno. */
static int send_request(Netlink *nl, struct nlmsghdr *nlh, const Request *what) {
        Request *req = malloc(sizeof(*req));

        if (!req)
                return -ENOMEM;
        *req = *what;
        nlh->nlmsg_seq = req->seq = ++nl->seq ?: ++nl->seq;
        if (mnl_socket_sendto(nl->request, nlh, nlh->nlmsg_len) < 0) {
                int r = -errno;
                free(req);
                return r;
        }
        req->next = nl->requests;
        nl->requests = req;
        return (int) req->seq;
}

static int start_dump(Netlink *nl, NetlinkDumpDoneFunc done, void *userdata) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifinfomsg *ifi;
        int r;

        nlh->nlmsg_type = RTM_GETLINK;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;

        r = send_request(nl, nlh, &(Request) { .dump = true, .dump_done = done, .userdata = userdata });
        if (r < 0)
                return log_error_errno(r, "Failed to request a dump of the kernel's links: %m");
        link_cache_begin_resync(nl->links);
        nl->dumping = true;
        return 0;
}

int netlink_dump(Netlink *nl, NetlinkDumpDoneFunc done, void *userdata) {
        return start_dump(nl, done, userdata);
}

int netlink_set_link_up(Netlink *nl, int ifindex, bool up, NetlinkRequestFunc done, void *userdata) {
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
        struct ifinfomsg *ifi;

        nlh->nlmsg_type = RTM_NEWLINK;
        nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
        ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = ifindex;
        ifi->ifi_change = IFF_UP;
        ifi->ifi_flags = up ? IFF_UP : 0;

        return send_request(nl, nlh, &(Request) { .done = done, .userdata = userdata });
}

void netlink_cancel(Netlink *nl, uint32_t id) {
        Request **p = request_find(nl, id);
        if (p) {
                /* The answer may still come; it must find the request, but
                 * nobody to tell. */
                (*p)->done = NULL;
                (*p)->userdata = NULL;
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
        r = open_socket(&nl->request, 0);
        if (r < 0)
                goto fail;

        r = sd_event_add_io(event, &nl->monitor_source, mnl_socket_get_fd(nl->monitor), EPOLLIN, on_monitor, nl);
        if (r < 0)
                goto fail;
        r = sd_event_add_io(event, &nl->request_source, mnl_socket_get_fd(nl->request), EPOLLIN, on_request, nl);
        if (r < 0)
                goto fail;
        /* Changes by others first: a request's answer drains the monitor
         * anyway, and a dump should start from the newest state. */
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
