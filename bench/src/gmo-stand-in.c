/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-scale's GetManagedObjects floor. The stand-in speaks the D-Bus wire
 * protocol itself on a socket of its own: it asks wand for GetManagedObjects
 * once, keeps the reply's body as the bytes wand sent, and answers every
 * GetManagedObjects with a header of a few fields it marshals per call
 * followed by those bytes, unchanged. Its own work per call is thus the
 * kernel's copy of them into the socket, and what a call to it costs is what
 * no implementation can avoid: the bus taking a reply of that size and
 * signature (dbus-daemon reads and validates it, then writes it on) and the
 * client reading it. sd-bus is not used here: any library would serialize
 * the body again. */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <unistd.h>

#include "bench.h"
#include "gmo-stand-in.h"

#define OBJECT_MANAGER "org.freedesktop.DBus.ObjectManager"
#define GMO_SIGNATURE "a{oa{sa{sv}}}"
#define LIMITS_EXCEEDED "org.freedesktop.DBus.Error.LimitsExceeded"
#define ALIGN(n, a) (((n) + (a) - 1) & ~((size_t) (a) - 1))

enum { MSG_CALL = 1, MSG_RETURN, MSG_ERROR, MSG_SIGNAL };
enum { FLAG_NO_REPLY_EXPECTED = 1 };
enum {
        FIELD_PATH = 1,
        FIELD_INTERFACE,
        FIELD_MEMBER,
        FIELD_ERROR_NAME,
        FIELD_REPLY_SERIAL,
        FIELD_DESTINATION,
        FIELD_SENDER,
        FIELD_SIGNATURE,
};

/* A message's header, to send or as read; a read one's strings and body
 * point into the connection's input buffer until the next read. */
typedef struct Msg {
        uint8_t type, flags;
        uint32_t serial, reply_serial;
        const char *path, *interface, *member, *error_name, *destination, *sender, *signature;
        const uint8_t *body;
        uint32_t body_size;
} Msg;

typedef struct Buf {
        uint8_t *p;
        size_t n, allocated;
} Buf;

typedef struct Conn {
        int fd;
        uint32_t serial;
        Buf in, out;
        size_t consumed; /* in.p[consumed..n) is read but not yet parsed */
} Conn;

static bool streq_ptr(const char *a, const char *b) {
        return a && b && strcmp(a, b) == 0;
}

static void buf_reserve(Buf *b, size_t more) {
        if (b->n + more <= b->allocated)
                return;
        b->allocated = ALIGN(b->n + more, 65536);
        b->p = realloc(b->p, b->allocated);
        if (!b->p)
                die("out of memory");
}

static void buf_put(Buf *b, const void *data, size_t n) {
        buf_reserve(b, n);
        memcpy(b->p + b->n, data, n);
        b->n += n;
}

/* Alignment is from the buffer's start: a header's from the message's, a
 * body's from its own, which is the same as the header is padded to 8. */
static void buf_align(Buf *b, size_t a) {
        size_t pad = ALIGN(b->n, a) - b->n;
        buf_reserve(b, pad);
        memset(b->p + b->n, 0, pad);
        b->n += pad;
}

static void buf_u32(Buf *b, uint32_t v) {
        v = htole32(v);
        buf_align(b, 4);
        buf_put(b, &v, 4);
}

static void buf_string(Buf *b, const char *s) {
        buf_u32(b, (uint32_t) strlen(s));
        buf_put(b, s, strlen(s) + 1);
}

/* One header field, a (yv) struct; type is u, s, o or g. */
static void buf_field(Buf *b, uint8_t code, char type, const void *value) {
        const uint8_t head[4] = { code, 1, (uint8_t) type, 0 };
        uint8_t len;

        buf_align(b, 8);
        buf_put(b, head, sizeof(head));
        if (type == 'u')
                buf_u32(b, *(const uint32_t *) value);
        else if (type == 'g') {
                len = (uint8_t) strlen(value);
                buf_put(b, &len, 1);
                buf_put(b, value, (size_t) len + 1);
        } else
                buf_string(b, value);
}

static uint32_t le32_at(const uint8_t *p) {
        uint32_t v;
        memcpy(&v, p, 4);
        return le32toh(v);
}

/* Marshals m's header into b, padded to 8, for a body of body_size bytes. */
static void header_marshal(Buf *b, const Msg *m, uint32_t body_size) {
        const uint8_t fixed[4] = { 'l', m->type, m->flags, 1 };
        size_t fields;
        uint32_t len;

        b->n = 0;
        buf_put(b, fixed, sizeof(fixed));
        buf_u32(b, body_size);
        buf_u32(b, m->serial);
        buf_u32(b, 0); /* the fields' length, known below */
        fields = b->n;
        if (m->path)
                buf_field(b, FIELD_PATH, 'o', m->path);
        if (m->interface)
                buf_field(b, FIELD_INTERFACE, 's', m->interface);
        if (m->member)
                buf_field(b, FIELD_MEMBER, 's', m->member);
        if (m->error_name)
                buf_field(b, FIELD_ERROR_NAME, 's', m->error_name);
        if (m->reply_serial)
                buf_field(b, FIELD_REPLY_SERIAL, 'u', &m->reply_serial);
        if (m->destination)
                buf_field(b, FIELD_DESTINATION, 's', m->destination);
        if (m->signature)
                buf_field(b, FIELD_SIGNATURE, 'g', m->signature);
        len = htole32((uint32_t) (b->n - fields));
        memcpy(b->p + fields - 4, &len, 4);
        buf_align(b, 8);
}

static void write_all(int fd, struct iovec *iov, int n) {
        while (n > 0) {
                struct msghdr mh = { .msg_iov = iov, .msg_iovlen = (size_t) n };
                ssize_t w = sendmsg(fd, &mh, MSG_NOSIGNAL);
                if (w < 0 && errno == EINTR)
                        continue;
                if (w < 0)
                        die("stand-in: writing to the bus: %m");
                /* A partial write: on from where it stopped. */
                for (; n > 0 && (size_t) w >= iov->iov_len; iov++, n--)
                        w -= (ssize_t) iov->iov_len;
                if (n > 0) {
                        iov->iov_base = (uint8_t *) iov->iov_base + w;
                        iov->iov_len -= (size_t) w;
                }
        }
}

/* Sends m with the given body; m->serial is set to the message's. */
static void conn_send(Conn *c, Msg *m, const void *body, size_t body_size) {
        m->serial = ++c->serial;
        header_marshal(&c->out, m, (uint32_t) body_size);
        struct iovec iov[2] = {
                { c->out.p, c->out.n },
                { (void *) body, body_size },
        };
        write_all(c->fd, iov, body_size ? 2 : 1);
}

/* Until at least need bytes are buffered; false at the end of the stream. */
static bool conn_fill(Conn *c, size_t need) {
        Buf *in = &c->in;

        if (in->n - c->consumed >= need)
                return true;
        if (c->consumed > 0) {
                memmove(in->p, in->p + c->consumed, in->n - c->consumed);
                in->n -= c->consumed;
                c->consumed = 0;
        }
        buf_reserve(in, need - in->n);
        while (in->n < need) {
                /* Large replies come in as large reads: as much as fits. */
                ssize_t r = read(c->fd, in->p + in->n, in->allocated - in->n);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r < 0)
                        die("stand-in: reading from the bus: %m");
                if (r == 0)
                        return false;
                in->n += (size_t) r;
        }
        return true;
}

/* Reads the next message; false once the bus has closed the connection.
 * The bus has validated what it passes on: only what we rely on is checked. */
static bool conn_read(Conn *c, Msg *m) {
        const uint8_t *h;
        size_t fields, header, o;

        if (!conn_fill(c, 16))
                return false;
        h = c->in.p + c->consumed;
        if (h[0] != 'l' || h[3] != 1)
                die("stand-in: a message that is not little-endian D-Bus 1 ('%c', version %u)", h[0], h[3]);
        *m = (Msg) { .type = h[1], .flags = h[2], .serial = le32_at(h + 8), .body_size = le32_at(h + 4) };
        fields = le32_at(h + 12);
        header = ALIGN(16 + fields, 8);
        if (!conn_fill(c, header + m->body_size))
                die("stand-in: the bus closed the connection within a message");
        h = c->in.p + c->consumed;
        m->body = h + header;
        c->consumed += header + m->body_size;

        for (o = 16; o < 16 + fields;) {
                uint8_t code;
                char type;
                const char *s;

                o = ALIGN(o, 8);
                code = h[o];
                if (h[o + 1] != 1)
                        die("stand-in: header field %u is not of a basic type", code);
                type = (char) h[o + 2];
                o += 4;
                if (type == 'u') {
                        o = ALIGN(o, 4);
                        if (code == FIELD_REPLY_SERIAL)
                                m->reply_serial = le32_at(h + o);
                        o += 4;
                        continue;
                }
                if (type == 'g') {
                        s = (const char *) h + o + 1;
                        o += 1 + (size_t) h[o] + 1;
                } else if (type == 's' || type == 'o') {
                        o = ALIGN(o, 4);
                        s = (const char *) h + o + 4;
                        o += 4 + le32_at(h + o) + 1;
                } else
                        die("stand-in: header field %u of type %c", code, type);
                switch (code) {
                case FIELD_PATH: m->path = s; break;
                case FIELD_INTERFACE: m->interface = s; break;
                case FIELD_MEMBER: m->member = s; break;
                case FIELD_ERROR_NAME: m->error_name = s; break;
                case FIELD_DESTINATION: m->destination = s; break;
                case FIELD_SENDER: m->sender = s; break;
                case FIELD_SIGNATURE: m->signature = s; break;
                default: break; /* unknown fields are to be ignored */
                }
        }
        if (o > header)
                die("stand-in: a header field past the header's end");
        return true;
}

/* A method call and its answer (a return or an error); what comes between
 * (NameAcquired, say) is dropped. */
static void conn_call(Conn *c, Msg *call, const Buf *body, Msg *reply) {
        conn_send(c, call, body ? body->p : NULL, body ? body->n : 0);
        for (;;) {
                if (!conn_read(c, reply))
                        die("stand-in: the bus closed the connection during %s", call->member);
                if ((reply->type == MSG_RETURN || reply->type == MSG_ERROR) && reply->reply_serial == call->serial)
                        return;
        }
}

/* An error's message, its first argument if that is a string. */
static const char *error_message(const Msg *m) {
        if (!m->signature || m->signature[0] != 's' || m->body_size < 5)
                return "";
        return (const char *) m->body + 4;
}

/* Connects as this process's effective uid and says Hello. */
static void conn_open(Conn *c) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        const char *address = getenv("DBUS_SYSTEM_BUS_ADDRESS"), *path = "/run/dbus/system_bus_socket";
        char uid[16], line[256], auth[64] = "\0AUTH EXTERNAL ";
        size_t n = 0, len = 15;
        Msg hello = {
                .type = MSG_CALL,
                .path = "/org/freedesktop/DBus",
                .interface = "org.freedesktop.DBus",
                .member = "Hello",
                .destination = "org.freedesktop.DBus",
        }, reply;

        if (address && strncmp(address, "unix:path=", 10) == 0)
                path = address + 10;
        else if (address)
                die("stand-in: DBUS_SYSTEM_BUS_ADDRESS=%s: only unix:path= is understood", address);
        if (strlen(path) >= sizeof(sa.sun_path) || strchr(path, ','))
                die("stand-in: bus address %s: too long, or with more than a path", path);
        strcpy(sa.sun_path, path);
        c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (c->fd < 0 || connect(c->fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                die("stand-in: connecting to %s: %m", path);

        /* SASL EXTERNAL: the bus takes our uid from the socket; we name it,
         * in hex of its decimal digits, after the credentials byte. */
        snprintf(uid, sizeof(uid), "%u", (unsigned) geteuid());
        for (const char *d = uid; *d; d++)
                len += (size_t) snprintf(auth + len, sizeof(auth) - len, "%02x", (unsigned) *d);
        len += (size_t) snprintf(auth + len, sizeof(auth) - len, "\r\n");
        write_all(c->fd, &(struct iovec) { auth, len }, 1);
        /* One byte at a time, so as to read nothing past the line. */
        while (n < sizeof(line) - 1 && (n < 2 || line[n - 2] != '\r' || line[n - 1] != '\n')) {
                ssize_t r = read(c->fd, line + n, 1);
                if (r < 0 && errno == EINTR)
                        continue;
                if (r <= 0)
                        die("stand-in: the bus closed the connection during authentication");
                n++;
        }
        line[n] = '\0';
        if (strncmp(line, "OK ", 3) != 0)
                die("stand-in: the bus refused authentication: %s", line);
        write_all(c->fd, &(struct iovec) { (char *) "BEGIN\r\n", 7 }, 1);

        conn_call(c, &hello, NULL, &reply);
        if (reply.type != MSG_RETURN)
                die("stand-in: Hello: %s: %s", reply.error_name, error_message(&reply));
}

/* wand's reply body, copied out of the input buffer; or NULL, with why in
 * *error, if wand refused for its size (LimitsExceeded). */
static uint8_t *get_wand_reply(Conn *c, uint32_t *size, char **error) {
        Msg call = {
                .type = MSG_CALL,
                .path = WAND_PATH,
                .interface = OBJECT_MANAGER,
                .member = "GetManagedObjects",
                .destination = WAND_BUS,
        }, reply;
        uint8_t *body;

        conn_call(c, &call, NULL, &reply);
        if (reply.type == MSG_ERROR) {
                if (!streq_ptr(reply.error_name, LIMITS_EXCEEDED))
                        die("stand-in: GetManagedObjects on wand: %s: %s", reply.error_name, error_message(&reply));
                if (asprintf(error, "%s: %s", reply.error_name, error_message(&reply)) < 0)
                        die("out of memory");
                return NULL;
        }
        if (!streq_ptr(reply.signature, GMO_SIGNATURE))
                die("stand-in: wand's GetManagedObjects has the signature %s", reply.signature ?: "(none)");
        body = malloc(reply.body_size ?: 1);
        if (!body)
                die("out of memory");
        memcpy(body, reply.body, reply.body_size);
        *size = reply.body_size;
        return body;
}

/* The previous size's stand-in may still hold the name until the bus has
 * seen it go: asked again, not queued. */
static void request_name(Conn *c) {
        Buf body = {};

        buf_string(&body, STAND_IN_BUS);
        buf_u32(&body, 4); /* DBUS_NAME_FLAG_DO_NOT_QUEUE */
        for (unsigned k = 0;; k++) {
                Msg call = {
                        .type = MSG_CALL,
                        .path = "/org/freedesktop/DBus",
                        .interface = "org.freedesktop.DBus",
                        .member = "RequestName",
                        .destination = "org.freedesktop.DBus",
                        .signature = "su",
                }, reply;
                uint32_t answer;

                conn_call(c, &call, &body, &reply);
                if (reply.type != MSG_RETURN || !streq_ptr(reply.signature, "u"))
                        die("stand-in: cannot own %s: %s: %s", STAND_IN_BUS, reply.error_name ?: "?",
                            error_message(&reply));
                answer = le32_at(reply.body);
                if (answer == 1) /* the primary owner */
                        break;
                if (answer != 3 || k >= 500) /* 3: another owns it */
                        die("stand-in: cannot own %s (RequestName says %u)", STAND_IN_BUS, answer);
                sleep_ms(10);
        }
        free(body.p);
}

/* Answers each GetManagedObjects with a header marshalled for it and the
 * kept body, written as is; anything else with UnknownMethod. */
static _Noreturn void serve(Conn *c, const uint8_t *body, uint32_t size) {
        Msg m;

        while (conn_read(c, &m)) {
                Msg reply = {
                        .type = MSG_RETURN,
                        .flags = FLAG_NO_REPLY_EXPECTED,
                        .reply_serial = m.serial,
                        .destination = m.sender,
                        .signature = GMO_SIGNATURE,
                };

                if (m.type != MSG_CALL)
                        continue;
                if (streq_ptr(m.member, "GetManagedObjects") && streq_ptr(m.path, WAND_PATH) &&
                    (!m.interface || streq_ptr(m.interface, OBJECT_MANAGER))) {
                        conn_send(c, &reply, body, size);
                        continue;
                }
                if (m.flags & FLAG_NO_REPLY_EXPECTED)
                        continue;
                Buf text = {};
                buf_string(&text, "the stand-in answers GetManagedObjects only");
                reply.type = MSG_ERROR;
                reply.error_name = "org.freedesktop.DBus.Error.UnknownMethod";
                reply.signature = "s";
                conn_send(c, &reply, text.p, text.n);
                free(text.p);
        }
        _exit(EXIT_SUCCESS); /* the bus is gone */
}

pid_t gmo_stand_in_start(char *line, size_t size) {
        int p[2];
        pid_t pid;

        if (pipe2(p, O_CLOEXEC) < 0)
                die("pipe: %m");
        pid = fork();
        if (pid < 0)
                die("fork: %m");
        if (pid == 0) {
                Conn c = { .fd = -1 };
                char *error = NULL;
                uint8_t *body;
                uint32_t body_size = 0;
                FILE *out;

                prctl(PR_SET_PDEATHSIG, SIGTERM);
                close(p[0]);
                out = fdopen(p[1], "w");
                if (!out)
                        die("stand-in: %m");
                conn_open(&c);
                body = get_wand_reply(&c, &body_size, &error);
                if (!body) {
                        fprintf(out, "!%s\n", error);
                        fclose(out);
                        _exit(EXIT_SUCCESS);
                }
                request_name(&c);
                fprintf(out, "\n");
                fclose(out);
                serve(&c, body, body_size);
        }
        close(p[1]);
        FILE *in = fdopen(p[0], "r");
        if (!in || !fgets(line, (int) size, in))
                die("the stand-in did not start");
        fclose(in);
        line[strcspn(line, "\n")] = '\0';
        return pid;
}
