/* rtnetlink through libmnl, on sd-event. Two sockets: a monitor bound to
 * RTMGRP_LINK for changes made by anyone, and a request socket for dumps and
 * our own changes. Before a request's answer is handed out the monitor is
 * drained: the kernel queues a change's notification before its ACK, so the
 * cache then shows the change. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <search.h>
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

        void *by_index; /* tsearch tree of Link*, owns them */
        void *by_name;  /* tsearch tree of the same Link* */

        uint64_t generation;
        bool dumping, redump;

        NetlinkChangedFunc changed;
        void *userdata;
};

static int link_compare_index(const void *a, const void *b) {
        const Link *x = a, *y = b;
        return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

static int link_compare_name(const void *a, const void *b) {
        const Link *x = a, *y = b;
        return strcmp(x->name, y->name);
}

static Link *find_by_index(Netlink *nl, int ifindex) {
        Link key = { .ifindex = ifindex };
        void **p = tfind(&key, &nl->by_index, link_compare_index);
        return p ? *p : NULL;
}

static Link *find_by_name(Netlink *nl, const char *name) {
        Link key = {};
        void **p;

        if (strlen(name) >= sizeof(key.name))
                return NULL;
        strcpy(key.name, name);
        p = tfind(&key, &nl->by_name, link_compare_name);
        return p ? *p : NULL;
}

const Link *netlink_get_link(Netlink *nl, const char *name) {
        return find_by_name(nl, name);
}

static void notify(Netlink *nl, const char *name) {
        if (nl->changed)
                nl->changed(name, nl->userdata);
}

static void link_remove(Netlink *nl, Link *l) {
        char name[IFNAMSIZ];

        memcpy(name, l->name, sizeof(name));
        tdelete(l, &nl->by_name, link_compare_name);
        tdelete(l, &nl->by_index, link_compare_index);
        free(l);
        notify(nl, name);
}

static int link_update(Netlink *nl, int ifindex, const char *name, unsigned flags) {
        Link *l, *other;
        char old_name[IFNAMSIZ] = "";

        if (strlen(name) >= IFNAMSIZ)
                return -EINVAL;

        /* A link of the same name but another index is a leftover of a missed
         * RTM_DELLINK: the kernel never has two. */
        other = find_by_name(nl, name);
        if (other && other->ifindex != ifindex)
                link_remove(nl, other);

        l = find_by_index(nl, ifindex);
        if (!l) {
                l = calloc(1, sizeof(*l));
                if (!l)
                        return -ENOMEM;
                l->ifindex = ifindex;
                strcpy(l->name, name);
                if (!tsearch(l, &nl->by_index, link_compare_index)) {
                        free(l);
                        return -ENOMEM;
                }
                if (!tsearch(l, &nl->by_name, link_compare_name)) {
                        tdelete(l, &nl->by_index, link_compare_index);
                        free(l);
                        return -ENOMEM;
                }
        } else if (!streq(l->name, name)) {
                /* Renamed. */
                strcpy(old_name, l->name);
                tdelete(l, &nl->by_name, link_compare_name);
                strcpy(l->name, name);
                if (!tsearch(l, &nl->by_name, link_compare_name)) {
                        tdelete(l, &nl->by_index, link_compare_index);
                        free(l);
                        notify(nl, old_name);
                        return -ENOMEM;
                }
        } else if (l->flags == flags) {
                l->generation = nl->generation;
                return 0;
        }

        l->flags = flags;
        l->generation = nl->generation;
        if (old_name[0])
                notify(nl, old_name);
        notify(nl, name);
        return 0;
}

static int parse_attr(const struct nlattr *attr, void *data) {
        const struct nlattr **tb = data;
        int type = mnl_attr_get_type(attr);

        if (mnl_attr_type_valid(attr, IFLA_MAX) < 0)
                return MNL_CB_OK;
        if (type == IFLA_IFNAME && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
                return MNL_CB_OK;
        tb[type] = attr;
        return MNL_CB_OK;
}

static void handle_link_message(Netlink *nl, const struct nlmsghdr *nlh) {
        const struct nlattr *tb[IFLA_MAX + 1] = {};
        const struct ifinfomsg *ifi;
        const char *name;
        Link *l;
        int r;

        if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)))
                return;
        ifi = mnl_nlmsg_get_payload(nlh);
        mnl_attr_parse(nlh, sizeof(*ifi), parse_attr, tb);

        if (nlh->nlmsg_type == RTM_DELLINK) {
                l = find_by_index(nl, ifi->ifi_index);
                if (l)
                        link_remove(nl, l);
                return;
        }

        if (!tb[IFLA_IFNAME])
                return;
        name = mnl_attr_get_str(tb[IFLA_IFNAME]);
        r = link_update(nl, ifi->ifi_index, name, ifi->ifi_flags);
        if (r < 0)
                log_error_errno(r, "Failed to record link %s: %m", name);
}

static int start_dump(Netlink *nl, NetlinkDumpDoneFunc done, void *userdata);

typedef struct StaleLinks {
        uint64_t generation;
        Link **links;
        size_t n, allocated;
} StaleLinks;

static void collect_stale(const void *node, VISIT which, void *data) {
        Link *l = *(Link * const *) node;
        StaleLinks *s = data;

        if (!(which == postorder || which == leaf) || l->generation >= s->generation)
                return;
        if (s->n == s->allocated) {
                size_t m = s->allocated ? s->allocated * 2 : 16;
                Link **t = realloc(s->links, m * sizeof(Link *));
                if (!t)
                        return; /* the next dump gets them */
                s->links = t;
                s->allocated = m;
        }
        s->links[s->n++] = l;
}

static void dump_finished(Netlink *nl) {
        /* Links the dump did not show are gone. Collect first: a tree must
         * not change while it is walked. */
        StaleLinks s = { .generation = nl->generation };

        twalk_r(nl->by_index, collect_stale, &s);
        for (size_t i = 0; i < s.n; i++)
                link_remove(nl, s.links[i]);
        free(s.links);
}

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
                if (error == 0)
                        dump_finished(nl);
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
                handle_link_message(nl, nlh);
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

        nl->generation++;
        r = send_request(nl, nlh, &(Request) { .dump = true, .dump_done = done, .userdata = userdata });
        if (r < 0)
                return log_error_errno(r, "Failed to request a dump of the kernel's links: %m");
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

static void free_nothing(void *p) {
        (void) p;
}

int netlink_new(Netlink **ret, sd_event *event, NetlinkChangedFunc changed, void *userdata) {
        Netlink *nl;
        int r;

        nl = calloc(1, sizeof(*nl));
        if (!nl)
                return -ENOMEM;
        nl->event = sd_event_ref(event);
        nl->changed = changed;
        nl->userdata = userdata;

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
        tdestroy(nl->by_name, free_nothing); /* by_index owns the links */
        nl->by_name = NULL;
        tdestroy(nl->by_index, free);
        sd_event_unref(nl->event);
        free(nl);
        return NULL;
}
