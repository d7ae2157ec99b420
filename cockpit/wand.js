/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* wand's Cockpit page: the demand-dial manager and the WAN interfaces of
 * org.wand.Router1, live from the ObjectManager's signals (no polling), with
 * the contract's actions. Plain browser JavaScript on cockpit's own
 * base1/cockpit.js: no bundler, no framework, no inline code (strict CSP). */
"use strict";

(function () {
    const BUS_NAME = "org.wand.Router1";
    const MANAGER_PATH = "/org/wand/Router1";
    const MANAGER_IFACE = "org.wand.Router1.Manager";
    const IFACE = "org.wand.Router1.Interface";
    const OBJECT_MANAGER = "org.freedesktop.DBus.ObjectManager";
    const PROPERTIES = "org.freedesktop.DBus.Properties";

    /* GetManagedObjects() refused because its reply would be larger than
     * the system bus passes in one message (org.wand.Router1(5), ERRORS):
     * the page then reads ListInterfaces() and GetAll() on each path. */
    const LIMITS_EXCEEDED = "org.freedesktop.DBus.Error.LimitsExceeded";
    /* What a GetAll() says of an interface deleted since ListInterfaces(). */
    const GONE = {
        "org.wand.Router1.Error.InvalidHandle": true,
        "org.freedesktop.DBus.Error.UnknownObject": true,
    };
    /* GetAll() calls in flight at once: the system bus lets a connection
     * wait for 128 replies, and the bridge's connection is not the page's
     * alone. */
    const READS_IN_FLIGHT = 16;

    /* Connect() replies when the connection is up or the attempt failed
     * (ConnectTimeoutSec, 20 s by default, and a polkit dialog may take
     * minutes): the call's own timeout must not cut that short. */
    const CALL_TIMEOUT_MS = 15 * 60 * 1000;

    /* D-Bus errors whose meaning is "you may not": said plainly. */
    const DENIED = {
        "org.freedesktop.DBus.Error.AccessDenied": true,
        "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired": true,
    };

    const $ = id => document.getElementById(id);

    /* ------------------------------------------------------------ model */

    let client = null; /* cockpit.dbus() to org.wand.Router1 */
    let manager = null; /* proxy of the manager */
    let proxies = null; /* proxies of every interface */
    let generation = 0; /* bumped by connect(): late events of an old client are dropped */
    let ownerSeen = false;

    /* path → { path, props, tr, cells, busy } */
    const rows = new Map();
    const dirty = new Set();
    let orderDirty = false;
    let flushTimer = null;

    /* ------------------------------------------------------------ names */

    /* The contract's interface names: 1–64 bytes of [A-Za-z0-9_.-], not
     * starting with "." or "-". */
    function interfaceNameProblem(name) {
        if (name.length === 0)
            return "Enter a name.";
        if (name.length > 64)
            return "A name has at most 64 characters.";
        if (!/^[A-Za-z0-9_.-]+$/.test(name))
            return "Use only letters A–Z and a–z, digits, “_”, “.” and “-”.";
        if (name[0] === "." || name[0] === "-")
            return "A name cannot start with “.” or “-”.";
        return null;
    }

    /* As the kernel (and wand) check device names: 1–15 bytes, no "/",
     * ":", whitespace or control characters, not "." or "..". */
    function deviceNameProblem(device) {
        if (device.length === 0)
            return "Enter the kernel network device the connection runs over.";
        const bytes = new TextEncoder().encode(device).length;
        if (bytes > 15)
            return "A device name has at most 15 bytes (this one has " + bytes + ").";
        if (device === "." || device === "..")
            return "“.” and “..” are not device names.";
        if (/[/:]/.test(device))
            return "A device name cannot contain “/” or “:”.";
        if (/[\s\u0000-\u001f\u007f]/.test(device))
            return "A device name cannot contain spaces or control characters.";
        return null;
    }

    /* Splits a command line as wand splits ConnectCommand= in its files: a
     * POSIX shell's quoting (single, double, backslash), no expansion.
     * Returns the words, or throws a message. */
    function splitWords(line) {
        const words = [];
        let word = null;
        let i = 0;
        while (i < line.length) {
            const c = line[i];
            if (/\s/.test(c)) {
                if (word !== null)
                    words.push(word);
                word = null;
                i++;
            } else if (c === "'") {
                const end = line.indexOf("'", i + 1);
                if (end < 0)
                    throw new Error("A single quote is not closed.");
                word = (word || "") + line.slice(i + 1, end);
                i = end + 1;
            } else if (c === '"') {
                word = word || "";
                i++;
                for (;;) {
                    if (i >= line.length)
                        throw new Error("A double quote is not closed.");
                    const d = line[i];
                    if (d === '"') {
                        i++;
                        break;
                    }
                    if (d === "\\" && i + 1 < line.length && '$`"\\\n'.includes(line[i + 1])) {
                        word += line[i + 1];
                        i += 2;
                    } else {
                        word += d;
                        i++;
                    }
                }
            } else if (c === "\\") {
                if (i + 1 >= line.length)
                    throw new Error("The line ends with a backslash.");
                word = (word || "") + line[i + 1];
                i += 2;
            } else {
                word = (word || "") + c;
                i++;
            }
        }
        if (word !== null)
            words.push(word);
        return words;
    }

    /* ------------------------------------------------------------ errors */

    function errorName(err) {
        if (!err)
            return "";
        return err.name || err.problem || "";
    }

    function errorMessage(err) {
        if (!err)
            return "";
        /* The service's own sentence; cockpit's for transport problems. */
        if (err.message)
            return String(err.message);
        return cockpit.message(err);
    }

    let alertCount = 0;

    /* An alert at the top of the page: TITLE says what failed, the service's
     * message says why and what to do, the D-Bus name is one click away. */
    function showAlert(kind, title, err, extra) {
        const box = document.createElement("div");
        box.className = "wand-alert wand-alert-" + kind;
        box.setAttribute("role", kind === "danger" ? "alert" : "status");
        box.id = "alert-" + (++alertCount);
        const name = errorName(err);
        if (name)
            box.dataset.errorName = name;

        const head = document.createElement("div");
        head.className = "wand-alert-head";
        const h = document.createElement("h3");
        h.className = "wand-alert-title";
        h.textContent = title;
        head.appendChild(h);
        const close = document.createElement("button");
        close.type = "button";
        close.className = "wand-alert-close";
        close.setAttribute("aria-label", "Close");
        close.textContent = "×";
        close.addEventListener("click", () => box.remove());
        head.appendChild(close);
        box.appendChild(head);

        if (extra) {
            const p = document.createElement("p");
            p.className = "wand-alert-extra";
            p.textContent = extra;
            box.appendChild(p);
        }
        const msg = errorMessage(err);
        if (msg) {
            const p = document.createElement("p");
            p.className = "wand-alert-message";
            p.textContent = msg;
            box.appendChild(p);
        }
        if (name) {
            const details = document.createElement("details");
            details.className = "wand-alert-details";
            const summary = document.createElement("summary");
            summary.textContent = "D-Bus error";
            details.appendChild(summary);
            const code = document.createElement("code");
            code.className = "wand-error-name";
            code.textContent = name;
            details.appendChild(code);
            box.appendChild(details);
        }
        $("alerts").prepend(box);
        /* Keep the page usable after many failures. */
        while ($("alerts").children.length > 8)
            $("alerts").lastElementChild.remove();
        return box;
    }

    /* What failed, as a sentence; denial said plainly. */
    function reportFailure(what, err) {
        const name = errorName(err);
        if (DENIED[name]) {
            showAlert("danger", "Not permitted: " + what,
                      err, "You are not authorized to do this, and nothing was changed. " +
                      "Ask an administrator, or turn on administrative access.");
        } else {
            showAlert("danger", "Could not " + what, err);
        }
    }

    /* ------------------------------------------------------------ calls */

    /* Every call may need polkit: the interactive-authorization flag lets
     * polkit ask an authentication agent (Cockpit's bridge is one in a login
     * session) instead of refusing at once; as root nobody is asked. */
    function call(path, iface, method, args) {
        return client.call(path, iface, method, args || [], { flags: "i", timeout: CALL_TIMEOUT_MS });
    }

    /* Runs a call for BUTTON: it shows progress until the reply. */
    function withProgress(button, label, promise, what) {
        const old = button.textContent;
        button.disabled = true;
        button.classList.add("wand-in-progress");
        button.setAttribute("aria-busy", "true");
        button.textContent = label;
        const spinner = document.createElement("span");
        spinner.className = "wand-spinner";
        spinner.setAttribute("aria-hidden", "true");
        button.prepend(spinner);
        return Promise.resolve(promise)
                .catch(err => reportFailure(what, err))
                .finally(() => {
                    button.classList.remove("wand-in-progress");
                    button.removeAttribute("aria-busy");
                    button.textContent = old;
                    /* Enabled again; a row's buttons are then judged by
                     * renderRow() from the state. */
                    button.disabled = false;
                });
    }

    /* ------------------------------------------------------------ manager */

    function managerRunning() {
        return manager && manager.valid && manager.DemandDialManager === "running";
    }

    let managerBusy = false;

    function renderManager() {
        const state = $("manager-state");
        const toggle = $("manager-toggle");
        const valid = manager && manager.valid;
        const value = valid ? manager.DemandDialManager : "";
        state.textContent = value || "unknown";
        state.dataset.state = value || "unknown";
        if (!managerBusy) {
            toggle.textContent = value === "running" ? "Stop" : "Start";
            toggle.disabled = !valid;
        }
        $("reload").disabled = !valid;
        $("create-open").disabled = !valid;
        if (valid && manager.Version)
            $("manager").title = "wand " + manager.Version;
    }

    function toggleManager() {
        const stop = managerRunning();
        const button = $("manager-toggle");
        managerBusy = true;
        const p = call(MANAGER_PATH, MANAGER_IFACE, stop ? "StopDemandDialManager" : "StartDemandDialManager");
        withProgress(button, stop ? "Stopping…" : "Starting…", p,
                     (stop ? "stop" : "start") + " the demand-dial manager")
                .finally(() => {
                    managerBusy = false;
                    renderManager();
                    markAllDirty();
                });
    }

    /* Every interface's properties, the documented way round a refused
     * GetManagedObjects(): ListInterfaces(), then GetAll() on each path, a
     * few at a time. EACH(path, a{sv}) as each reply arrives, so that it
     * comes in order with the signals; an interface deleted in between is
     * skipped. Resolves when all are read; rejects with the first other
     * error. Stops early once connect() started over. */
    function readOneByOne(gen, each) {
        return Promise.resolve(client.call(MANAGER_PATH, MANAGER_IFACE, "ListInterfaces", []))
                .then(reply => {
                    const paths = reply[0].map(entry => entry[1]);
                    let next = 0;
                    const readNext = () => {
                        if (next >= paths.length || gen !== generation)
                            return null;
                        const path = paths[next++];
                        /* With its signature: a bridge that looked it up
                         * would introspect the path, gone or not. */
                        return Promise.resolve(client.call(path, PROPERTIES, "GetAll", [IFACE], { type: "s" }))
                                .then(props => {
                                    if (gen === generation)
                                        each(path, props[0]);
                                }, err => {
                                    if (!GONE[errorName(err)])
                                        throw err;
                                })
                                .then(readNext);
                    };
                    const readers = [];
                    for (let i = 0; i < READS_IN_FLIGHT; i++)
                        readers.push(readNext());
                    return Promise.all(readers);
                });
    }

    /* Device and Persistent are announced like the other properties (and
     * the proxies follow them), but a wand before LastErrorReason did not
     * announce them: read them again after a Reload() of ours, with one
     * call for all, or one by one when wand refuses that call for its size. */
    function refreshUnannounced() {
        const gen = generation;
        const refresh = (path, props) => {
            const row = rows.get(path);
            if (!props || !row)
                return;
            if (props.Device)
                row.props.Device = props.Device.v;
            if (props.Persistent)
                row.props.Persistent = props.Persistent.v;
            markDirty(path);
        };
        return Promise.resolve(client.call(MANAGER_PATH, OBJECT_MANAGER, "GetManagedObjects", []))
                .then(reply => {
                    if (gen !== generation)
                        return;
                    const objects = reply[0];
                    for (const path in objects)
                        refresh(path, objects[path][IFACE]);
                }, err => {
                    if (errorName(err) !== LIMITS_EXCEEDED)
                        throw err;
                    return readOneByOne(gen, refresh);
                })
                .catch(() => {});
    }

    function reload() {
        const p = call(MANAGER_PATH, MANAGER_IFACE, "Reload").then(refreshUnannounced);
        withProgress($("reload"), "Reloading…", p, "reload the configuration");
    }

    /* ------------------------------------------------------------ rows */

    const STATE_LABELS = {
        connected: "Connected",
        connecting: "Connecting",
        disconnecting: "Disconnecting",
        disconnected: "Disconnected",
        unreachable: "Unreachable",
    };

    const REASON_LABELS = {
        "disabled": "disabled",
        "no-device": "no device",
        "connection-failure": "connection failed",
        "service-stopped": "manager stopped",
    };

    function relativeTime(usec) {
        if (!usec)
            return "";
        const ms = Number(usec) / 1000;
        const secs = Math.max(0, Math.round((Date.now() - ms) / 1000));
        if (secs < 45)
            return "just now";
        const mins = Math.round(secs / 60);
        if (mins < 60)
            return mins === 1 ? "1 minute ago" : mins + " minutes ago";
        const hours = Math.round(mins / 60);
        if (hours < 48)
            return hours === 1 ? "1 hour ago" : hours + " hours ago";
        const days = Math.round(hours / 24);
        return days + " days ago";
    }

    /* LastErrorReason (org.wand.Router1(5)); a word of a newer wand is
     * shown as it comes. */
    const FAILURE_LABELS = {
        "timeout": "timed out",
        "no-carrier": "no carrier",
        "dialer-exited": "dialer exited",
        "device-gone": "device gone",
        "refused": "refused",
        "start-failed": "could not start",
    };

    function shortErrorName(name) {
        const i = name.lastIndexOf(".");
        return i >= 0 ? name.slice(i + 1) : name;
    }

    function makeButton(text, cls, action) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "wand-btn " + cls;
        b.textContent = text;
        b.dataset.action = action;
        return b;
    }

    function createRow(path) {
        const tr = document.createElement("tr");
        tr.dataset.path = path;
        const cells = {};
        for (const key of ["name", "device", "state", "since", "enabled", "persistent", "lasterror", "actions"]) {
            const td = document.createElement(key === "name" ? "th" : "td");
            if (key === "name")
                td.scope = "row";
            td.className = "wand-col-" + key;
            td.dataset.label = key;
            tr.appendChild(td);
            cells[key] = td;
        }
        const stateBadge = document.createElement("span");
        stateBadge.className = "wand-state";
        const stateText = document.createElement("span");
        stateText.className = "wand-state-text";
        const reasons = document.createElement("span");
        reasons.className = "wand-reasons";
        stateBadge.append(stateText, reasons);
        cells.state.appendChild(stateBadge);

        const buttons = {
            connect: makeButton("Connect", "wand-btn-secondary", "connect"),
            disconnect: makeButton("Disconnect", "wand-btn-secondary", "disconnect"),
            enable: makeButton("Disable", "wand-btn-link", "enable"),
            delete: makeButton("Delete", "wand-btn-link wand-btn-link-danger", "delete"),
        };
        const group = document.createElement("div");
        group.className = "wand-row-actions";
        group.append(buttons.connect, buttons.disconnect, buttons.enable, buttons.delete);
        cells.actions.appendChild(group);

        return { path, props: {}, tr, cells, stateBadge, stateText, reasons, buttons, busy: {} };
    }

    function renderRow(row) {
        const p = row.props;
        const state = p.State || "";
        row.tr.dataset.name = p.Name || "";
        row.tr.dataset.state = state;
        row.cells.name.textContent = p.Name || "";
        row.cells.device.textContent = p.Device || "";
        row.stateBadge.dataset.state = state;
        row.stateText.textContent = STATE_LABELS[state] || state;
        const reasons = (p.UnreachabilityReasons || []).map(r => REASON_LABELS[r] || r);
        row.reasons.textContent = reasons.length ? " (" + reasons.join(", ") + ")" : "";
        renderSince(row);
        row.cells.enabled.textContent = p.Enabled ? "yes" : "no";
        row.cells.persistent.textContent = p.Persistent ? "yes" : "no";
        const last = p.LastError || "";
        const why = p.LastErrorReason || "";
        row.cells.lasterror.textContent = last ? shortErrorName(last) +
            (why ? " (" + (FAILURE_LABELS[why] || why) + ")" : "") : "";
        row.cells.lasterror.title = last;
        row.cells.lasterror.dataset.reason = why;

        /* Buttons that cannot work are disabled; what changes meanwhile
         * behind the page's back is the service's to refuse, and the page
         * shows its answer. */
        const running = managerRunning();
        const b = row.buttons;
        const reasonsRaw = p.UnreachabilityReasons || [];
        if (!row.busy.connect)
            b.connect.disabled = !running || !p.Enabled ||
                !(state === "disconnected" || state === "disconnecting" ||
                  (state === "unreachable" && reasonsRaw.length === 1 && reasonsRaw[0] === "connection-failure"));
        if (!row.busy.disconnect)
            b.disconnect.disabled = !running ||
                !(state === "connected" || state === "connecting" || state === "disconnecting");
        if (!row.busy.enable)
            b.enable.textContent = p.Enabled ? "Disable" : "Enable";
        if (!row.busy.delete)
            b.delete.disabled = !(state === "disconnected" || state === "unreachable");
    }

    function renderSince(row) {
        const since = row.props.ConnectedSince;
        row.cells.since.textContent = relativeTime(since);
        row.cells.since.title = since ? new Date(Number(since) / 1000).toLocaleString() : "";
    }

    const SHOWN_PROPS = ["Name", "Device", "State", "Enabled", "Persistent", "UnreachabilityReasons",
        "LastError", "LastErrorReason", "ConnectedSince", "IfIndex", "InstanceId"];

    function copyProps(row, proxy) {
        for (const key of SHOWN_PROPS) {
            if (proxy.data && key in proxy.data)
                row.props[key] = proxy.data[key];
        }
    }

    function markDirty(path) {
        dirty.add(path);
        scheduleFlush();
    }

    function markAllDirty() {
        for (const path of rows.keys())
            dirty.add(path);
        scheduleFlush();
    }

    /* Signals arrive one by one (a thousand at a reload): they are gathered
     * and the table is touched once per batch. */
    function scheduleFlush() {
        if (flushTimer === null)
            flushTimer = window.setTimeout(flush, 10);
    }

    function flush() {
        flushTimer = null;
        for (const path of dirty) {
            const row = rows.get(path);
            if (row)
                renderRow(row);
        }
        dirty.clear();
        if (orderDirty) {
            orderDirty = false;
            const sorted = Array.from(rows.values()).sort((a, b) => {
                const x = a.props.Name || "";
                const y = b.props.Name || "";
                return x < y ? -1 : x > y ? 1 : 0;
            });
            const body = $("rows");
            /* Only the rows out of place move: a table of a thousand is not
             * rebuilt for one new interface. */
            let cursor = body.firstElementChild;
            for (const row of sorted) {
                if (row.tr === cursor) {
                    cursor = cursor.nextElementSibling;
                } else {
                    body.insertBefore(row.tr, cursor);
                }
            }
            while (cursor) {
                const next = cursor.nextElementSibling;
                cursor.remove();
                cursor = next;
            }
        }
        $("no-interfaces").hidden = rows.size !== 0;
        /* For the browser tests' figures: when the table had how many rows. */
        performance.mark("wand-flush", { detail: rows.size });
        document.body.dataset.rows = String(rows.size);
    }

    function onAdded(proxy) {
        let row = rows.get(proxy.path);
        if (!row) {
            row = createRow(proxy.path);
            rows.set(proxy.path, row);
            orderDirty = true;
        }
        copyProps(row, proxy);
        markDirty(proxy.path);
    }

    function onChanged(proxy) {
        const row = rows.get(proxy.path);
        if (!row)
            return onAdded(proxy);
        copyProps(row, proxy);
        markDirty(proxy.path);
    }

    function onRemoved(proxy) {
        if (rows.delete(proxy.path)) {
            orderDirty = true;
            scheduleFlush();
        }
    }

    /* The same from an a{sv} of the interface's properties (GetAll(), or a
     * signal's): the rows read one by one. */
    function onVariants(path, props) {
        let row = rows.get(path);
        if (!row) {
            row = createRow(path);
            rows.set(path, row);
            orderDirty = true;
        }
        for (const key of SHOWN_PROPS) {
            if (key in props)
                row.props[key] = props[key].v;
        }
        markDirty(path);
    }

    /* Rows read one by one are kept live by wand's signals, heard here: a
     * bridge whose GetManagedObjects() failed need not follow the objects
     * it could not read. Subscribed before reading, so that nothing in
     * between is missed; signals the proxies hear too change nothing twice. */
    function followSignals(gen) {
        client.subscribe({ path_namespace: MANAGER_PATH, interface: PROPERTIES, member: "PropertiesChanged",
                           arg0: IFACE },
                         (path, iface, member, args) => {
                             if (gen === generation)
                                 onVariants(path, args[1]);
                         });
        client.subscribe({ path: MANAGER_PATH, interface: OBJECT_MANAGER, member: "InterfacesAdded" },
                         (path, iface, member, args) => {
                             if (gen === generation && args[1][IFACE])
                                 onVariants(args[0], args[1][IFACE]);
                         });
        client.subscribe({ path: MANAGER_PATH, interface: OBJECT_MANAGER, member: "InterfacesRemoved" },
                         (path, iface, member, args) => {
                             if (gen === generation && args[1].indexOf(IFACE) >= 0)
                                 onRemoved({ path: args[0] });
                         });
    }

    /* The rows when the bridge could not read them: wand refused the
     * GetManagedObjects() behind the proxies for its size. */
    function loadOneByOne(gen) {
        followSignals(gen);
        return readOneByOne(gen, onVariants).then(() => {
            if (gen !== generation)
                return;
            performance.mark("wand-rows-read-one-by-one");
            renderManager();
            pageReady();
        });
    }

    /* ------------------------------------------------------------ row actions */

    function rowAction(event) {
        const button = event.target.closest("button[data-action]");
        if (!button)
            return;
        const tr = button.closest("tr");
        const row = tr && rows.get(tr.dataset.path);
        if (!row)
            return;
        const name = row.props.Name;
        const action = button.dataset.action;
        if (action === "delete") {
            openDelete(row);
            return;
        }
        let method, args, label, what;
        if (action === "connect") {
            method = "Connect";
            label = "Connecting…";
            what = "connect " + name;
        } else if (action === "disconnect") {
            method = "Disconnect";
            label = "Disconnecting…";
            what = "disconnect " + name;
        } else if (action === "enable") {
            const enable = !row.props.Enabled;
            method = "SetEnabled";
            args = [enable];
            label = enable ? "Enabling…" : "Disabling…";
            what = (enable ? "enable " : "disable ") + name;
        } else {
            return;
        }
        row.busy[action] = true;
        const path = row.path;
        withProgress(button, label, call(path, IFACE, method, args), what)
                .finally(() => {
                    row.busy[action] = false;
                    markDirty(path);
                });
    }

    let deleteRow = null;

    function openDelete(row) {
        deleteRow = row;
        $("delete-name").textContent = row.props.Name;
        $("delete-dialog").showModal();
    }

    function confirmDelete(event) {
        event.preventDefault();
        $("delete-dialog").close();
        const row = deleteRow;
        deleteRow = null;
        if (!row)
            return;
        row.busy.delete = true;
        withProgress(row.buttons.delete, "Deleting…", call(row.path, IFACE, "Delete"), "delete " + row.props.Name)
                .finally(() => {
                    row.busy.delete = false;
                    markDirty(row.path);
                });
    }

    /* ------------------------------------------------------------ create */

    function fieldProblem(id, problem) {
        const p = $(id + "-error");
        const input = $(id);
        p.textContent = problem || "";
        p.hidden = !problem;
        if (input)
            input.setAttribute("aria-invalid", problem ? "true" : "false");
        return !!problem;
    }

    function openCreate() {
        $("create-form").reset();
        for (const id of ["create-name", "create-device", "create-connect", "create-disconnect", "create-timeout"])
            fieldProblem(id, null);
        $("create-alert").hidden = true;
        $("create-alert").replaceChildren();
        $("create-dialog").showModal();
        $("create-name").focus();
    }

    function timeoutValue(id) {
        const text = $(id).value.trim();
        if (text === "")
            return null;
        if (!/^[0-9]+$/.test(text) || Number(text) < 1 || Number(text) > 4294967295)
            throw new Error("Timeouts are whole seconds, at least 1.");
        return Number(text);
    }

    /* The a{sv} of CreateInterface(), or null when a field is wrong (each
     * wrong field says why, before anything is sent). */
    function readCreateForm() {
        const name = $("create-name").value;
        const device = $("create-device").value;
        let bad = fieldProblem("create-name", interfaceNameProblem(name));
        bad = fieldProblem("create-device", deviceNameProblem(device)) || bad;
        const settings = { Device: cockpit.variant("s", device) };
        for (const [id, key] of [["create-connect", "ConnectCommand"], ["create-disconnect", "DisconnectCommand"]]) {
            let words = [];
            try {
                words = splitWords($(id).value);
                fieldProblem(id, null);
            } catch (e) {
                bad = fieldProblem(id, e.message) || bad;
            }
            if (words.length)
                settings[key] = cockpit.variant("as", words);
        }
        if ($("create-disconnect").value.trim() && !$("create-connect").value.trim())
            bad = fieldProblem("create-disconnect", "A disconnect command needs a connect command.") || bad;
        try {
            const ct = timeoutValue("create-connect-timeout");
            const dt = timeoutValue("create-disconnect-timeout");
            if (ct !== null)
                settings.ConnectTimeoutSec = cockpit.variant("u", ct);
            if (dt !== null)
                settings.DisconnectTimeoutSec = cockpit.variant("u", dt);
            fieldProblem("create-timeout", null);
        } catch (e) {
            bad = fieldProblem("create-timeout", e.message) || bad;
        }
        settings.Enabled = cockpit.variant("b", $("create-enabled").checked);
        settings.Persistent = cockpit.variant("b", $("create-persistent").checked);
        return bad ? null : { name, settings };
    }

    function submitCreate(event) {
        event.preventDefault();
        const request = readCreateForm();
        if (!request)
            return;
        const button = $("create-submit");
        const alert = $("create-alert");
        alert.hidden = true;
        alert.replaceChildren();
        let failed = null;
        const p = call(MANAGER_PATH, MANAGER_IFACE, "CreateInterface", [request.name, request.settings])
                .catch(err => {
                    failed = err;
                });
        withProgress(button, "Creating…", p, "create " + request.name).then(() => {
            if (!failed) {
                $("create-dialog").close();
                return;
            }
            /* Shown in the dialog, so that the form can be corrected. A
             * command is root-equivalent: wand asked another action for it. */
            const commands = "ConnectCommand" in request.settings || "DisconnectCommand" in request.settings;
            const denied = DENIED[errorName(failed)];
            const box = showAlert("danger", (denied ? "Not permitted: create " : "Could not create ") +
                                  request.name, failed,
                                  denied && commands
                                      ? "You are not authorized to set commands, which wand runs as root " +
                                        "(org.wand.Router1.configure-privileged), and nothing was changed. " +
                                        "Without commands, org.wand.Router1.configure is enough."
                                      : denied ? "You are not authorized to do this, and nothing was changed." : null);
            alert.appendChild(box);
            alert.hidden = false;
        });
    }

    /* ------------------------------------------------------------ page states */

    function pageMessage(title, text, kind) {
        $("page-message-title").textContent = title;
        $("page-message-text").textContent = text;
        $("page-message").dataset.kind = kind;
        $("page-message").hidden = false;
        $("content").hidden = true;
        document.body.dataset.page = kind;
    }

    function pageReady() {
        /* The rows first: "ready" means the table is complete. */
        if (flushTimer !== null) {
            window.clearTimeout(flushTimer);
            flush();
        }
        $("page-message").hidden = true;
        $("content").hidden = false;
        document.body.dataset.page = "ready";
    }

    /* Tells "not installed" from "installed but not on the bus" by asking
     * the bus whether it could start wand. */
    function explainAbsence(err) {
        const gen = generation;
        const bus = cockpit.dbus("org.freedesktop.DBus", { bus: "system" });
        bus.call("/org/freedesktop/DBus", "org.freedesktop.DBus", "ListActivatableNames", [])
                .then(reply => {
                    if (gen !== generation)
                        return;
                    if (reply[0].indexOf(BUS_NAME) < 0) {
                        pageMessage("wand is not installed",
                                    "This system's bus does not know the service org.wand.Router1. Install the wand package " +
                                    "(the page manages the WAN interfaces it publishes).", "not-installed");
                    } else {
                        pageMessage("wand is not running",
                                    "The service org.wand.Router1 is installed but not on the system bus" +
                                    (err ? ": " + errorMessage(err) : ".") +
                                    " Start it with “systemctl start wand”; this page follows when it appears.",
                                    "not-running");
                    }
                })
                .catch(e => {
                    if (gen === generation)
                        pageMessage("The system bus cannot be reached", errorMessage(e), "no-bus");
                });
    }

    function clearRows() {
        rows.clear();
        dirty.clear();
        orderDirty = true;
        scheduleFlush();
    }

    /* (Re)connects to wand: a fresh client, so that a restarted wand (a new
     * owner, new objects) is read from the start. */
    function connect() {
        const gen = ++generation;
        if (client)
            client.close();
        clearRows();
        ownerSeen = false;

        client = cockpit.dbus(BUS_NAME, { bus: "system", superuser: "try" });
        client.addEventListener("owner", (ev, owner) => {
            if (gen !== generation)
                return;
            if (owner) {
                if (ownerSeen === "lost") {
                    connect(); /* wand came back: read it again */
                    return;
                }
                ownerSeen = true;
            } else if (ownerSeen === true) {
                /* wand left the bus: what the page showed is gone with it. */
                ownerSeen = "lost";
                clearRows();
                renderManager();
                explainAbsence(null);
            } else {
                ownerSeen = "lost";
            }
        });
        client.addEventListener("close", (ev, options) => {
            if (gen !== generation)
                return;
            if (options && options.problem)
                pageMessage("Lost the connection to the system",
                            cockpit.message(options) + " Reload the page to try again.", "closed");
        });

        manager = client.proxy(MANAGER_IFACE, MANAGER_PATH);
        manager.addEventListener("changed", () => {
            if (gen !== generation)
                return;
            renderManager();
            markAllDirty();
        });

        proxies = client.proxies(IFACE, MANAGER_PATH);
        proxies.addEventListener("added", (ev, proxy) => gen === generation && onAdded(proxy));
        proxies.addEventListener("changed", (ev, proxy) => gen === generation && onChanged(proxy));
        proxies.addEventListener("removed", (ev, proxy) => gen === generation && onRemoved(proxy));

        /* The manager's properties tell whether wand answers at all. */
        manager.wait()
                .then(() => {
                    performance.mark("wand-manager-ready");
                    if (gen !== generation)
                        return;
                    if (!manager.valid) {
                        explainAbsence(null);
                        return;
                    }
                    return Promise.resolve(proxies.wait()).then(() => {
                        if (gen !== generation)
                            return;
                        performance.mark("wand-proxies-ready");
                        for (const path in proxies)
                            onAdded(proxies[path]);
                        renderManager();
                        pageReady();
                    }, err => {
                        /* The bridge's GetManagedObjects() was refused:
                         * cockpit's Python bridge says so (its C bridge,
                         * Debian 12's, introspects the objects instead). */
                        if (gen !== generation || errorName(err) !== LIMITS_EXCEEDED)
                            throw err;
                        return loadOneByOne(gen);
                    });
                })
                .catch(err => {
                    if (gen === generation)
                        explainAbsence(err);
                });
        renderManager();
    }

    /* ------------------------------------------------------------ access */

    /* Whether this session acts as root: a note says that actions go to
     * polkit otherwise. The page reconnects when it changes, as the
     * client's superuser mode is chosen when it is opened. */
    function watchSuperuser() {
        const su = cockpit.dbus(null, { bus: "internal" }).proxy("cockpit.Superuser", "/superuser");
        let last = null;
        su.addEventListener("changed", () => {
            const current = su.Current;
            const note = $("access-note");
            if (current === "none") {
                note.textContent = "Limited access: wand asks polkit about every change you make, " +
                    "and refuses what you are not authorized to do.";
                note.hidden = false;
            } else {
                note.hidden = true;
            }
            if (last !== null && last !== current && (last === "none" || current === "none"))
                connect();
            last = current;
        });
    }

    /* Relative times move on: text only, no bus traffic. */
    function tickSince() {
        for (const row of rows.values())
            if (row.props.ConnectedSince)
                renderSince(row);
    }

    function init() {
        $("rows").addEventListener("click", rowAction);
        $("manager-toggle").addEventListener("click", toggleManager);
        $("reload").addEventListener("click", reload);
        $("create-open").addEventListener("click", openCreate);
        $("create-form").addEventListener("submit", submitCreate);
        $("create-cancel").addEventListener("click", () => $("create-dialog").close());
        $("delete-form").addEventListener("submit", confirmDelete);
        $("delete-cancel").addEventListener("click", () => {
            deleteRow = null;
            $("delete-dialog").close();
        });
        $("create-name").addEventListener("input", () => fieldProblem("create-name", null));
        $("create-device").addEventListener("input", () => fieldProblem("create-device", null));
        window.setInterval(tickSince, 30 * 1000);
        watchSuperuser();
        connect();
        cockpit.transport.wait(() => {
            performance.mark("wand-transport-ready");
            document.body.dataset.transport = "ready";
        });
    }

    /* For the browser tests and the curious: the validators, as the page uses them. */
    window.wand = { interfaceNameProblem, deviceNameProblem, splitWords };

    if (document.readyState === "loading")
        document.addEventListener("DOMContentLoaded", init);
    else
        init();
}());
