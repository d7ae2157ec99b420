#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""The benchmark's report: reads the client programs' JSON from one run,
prints the markdown table, and writes latest.json, latest.md and the plot of
latency against the number of interfaces (gnuplot).

    report.py --results DIR --out DIR --quick yes|no --links N --gap-ms MS

Every ratio is taken between figures of the same run. A figure that could
not be taken is null in latest.json, with the reason under "notes"."""

import argparse
import datetime
import glob
import json
import os
import platform
import subprocess
import sys

TARGETS = {
    "disconnect_floor_ratio": ("<=", 1.25),
    "disconnect_floor_ratio_unprivileged": ("<=", 1.10),
    "throughput_ratio_32": (">=", 0.9),
    "ready_s_10000": ("<=", 1.0),
    "get_managed_objects_ms_10000": ("<=", 100.0),
    "get_managed_objects_floor_ratio_10000": ("<=", 2.0),
    "rss_mib_10000": ("<=", 32.0),
    "disconnect_p50_ratio_10000_vs_10": ("<=", 1.10),
    "networkmanager_ratio_root": (">=", 4.0),
    "networkmanager_ratio_unprivileged": (">=", 1.0),
}


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def p50(d, key):
    return d[key]["p50_us"] if d and key in d else None


def p99(d, key):
    return d[key]["p99_us"] if d and key in d else None


def ratio(a, b):
    return a / b if a is not None and b else None


def total(*xs):
    return None if any(x is None for x in xs) else sum(xs)


def median(xs):
    xs = sorted(x for x in xs if x is not None)
    if not xs:
        return None
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def scale_floor_ratio(d):
    return ratio(p50(d, "disconnect_root"), total(p50(d, "ping_root"), p50(d, "netlink_down")))


def ms(x):
    return x / 1000 if x is not None else None


# The scale figures compared between 10,000 and 50,000 interfaces: the name
# in growth_50000_vs_10000, its label, and how to read it from a scale entry.
GROWTH = (
    ("ready_s", "READY (s)", lambda d: d["ready_s_p50"]),
    ("rss_mib", "RSS (MiB)", lambda d: d["rss_mib"]),
    ("rss_mib_ready", "RSS at READY (MiB)", lambda d: d["rss_mib_ready"]),
    ("stop_s", "SIGTERM to exit (s)", lambda d: d.get("stop_s")),
    ("get_managed_objects_ms", "GetManagedObjects p50 (ms)", lambda d: ms(p50(d, "get_managed_objects"))),
    ("get_managed_objects_floor_ms", "its floor p50 (ms)", lambda d: ms(p50(d, "get_managed_objects_floor"))),
    ("get_managed_objects_cpu_ms_wand", "GetManagedObjects, wand's CPU (ms)",
     lambda d: d.get("get_managed_objects_cpu_ms_wand")),
    ("list_interfaces_ms", "ListInterfaces p50 (ms)", lambda d: ms(p50(d, "list_interfaces"))),
    ("disconnect_p50_ms", "Disconnect p50 (ms)", lambda d: ms(p50(d, "disconnect_root"))),
)
GROWTH_NOISE = 1.2
# What must stay flat rather than grow with the number of interfaces.
GROWTH_FLAT = ("disconnect_p50_ms",)


def scale_figures(figures, notes, scale, quick):
    """The scale section's figures at 10,000 and 50,000 interfaces, the
    GetManagedObjects floor, and each figure's growth from 10,000 to 50,000
    against linear (5×)."""
    for n in (10000, 50000):
        d = scale.get(n)
        figures[f"get_managed_objects_floor_ms_{n}"] = ms(p50(d, "get_managed_objects_floor"))
        figures[f"get_managed_objects_floor_ratio_{n}"] = d.get("get_managed_objects_floor_ratio") if d else None
    s50k = scale.get(50000)
    figures["ready_s_50000"] = s50k["ready_s_p50"] if s50k else None
    figures["rss_mib_50000"] = s50k["rss_mib"] if s50k else None
    figures["get_managed_objects_ms_50000"] = ms(p50(s50k, "get_managed_objects"))
    figures["list_interfaces_ms_50000"] = ms(p50(s50k, "list_interfaces"))
    figures["disconnect_p50_ms_50000"] = ms(p50(s50k, "disconnect_root"))
    for n, d in sorted(scale.items()):
        # A reply the bus would not pass: wand (or the stand-in, which asks
        # wand for it) answered LimitsExceeded; the figure is null.
        if d.get("get_managed_objects_error"):
            notes[f"get_managed_objects_ms_{n}"] = d["get_managed_objects_error"]
        if d.get("get_managed_objects_floor_error"):
            notes[f"get_managed_objects_floor_ms_{n}"] = d["get_managed_objects_floor_error"]
    if not s50k:
        why = "quick run: 50,000 interfaces not measured" if quick else "50,000 interfaces not measured"
        for k in ("ready_s_50000", "get_managed_objects_ms_50000"):
            notes.setdefault(k, why)
    growth = {}
    s10k = scale.get(10000)
    if s10k and s50k:
        for key, _, get in GROWTH:
            g = ratio(get(s50k), get(s10k))
            growth[key] = round(g, 3) if g is not None else None
        # Linear is 5×; single runs here move by ±20 % with the machine's
        # load, so only past 6× is a figure called worse than linear (the
        # table prints every growth as measured).
        worse = [k for k, g in growth.items() if g is not None and g > 5.0 * GROWTH_NOISE]
        grew = [k for k in GROWTH_FLAT if growth.get(k) is not None and growth[k] > 1.5]
        if worse or grew:
            notes["growth_50000_vs_10000"] = (
                "from 10,000 to 50,000 interfaces "
                + "; ".join([f"{k} grew {growth[k]:.2f}×, more than linear (5×, 6× with this machine's noise)" for k in worse]
                            + [f"{k} grew {growth[k]:.2f}×, where it should stay flat" for k in grew if k not in worse])
                + " (bench/README.md, Profiling).")
    figures["growth_50000_vs_10000"] = growth or None


def us(x):
    if x is None:
        return "–"
    if x >= 10000:
        return f"{x / 1000:.1f} ms"
    if x >= 1000:
        return f"{x / 1000:.2f} ms"
    return f"{x:.0f} µs"


def num(x, fmt="{:.2f}"):
    return "–" if x is None else fmt.format(x)


def met(key, value):
    if value is None or key not in TARGETS:
        return ""
    op, target = TARGETS[key]
    ok = value <= target if op == "<=" else value >= target
    return "yes" if ok else "**no**"


def target_text(key):
    if key not in TARGETS:
        return ""
    op, target = TARGETS[key]
    return f"{'≤' if op == '<=' else '≥'} {target:g}"


def missed(key, value):
    return met(key, value) == "**no**"


def limits(figures, notes, gap, throughput, s10k, pairs):
    """For each target missed, what limited wand, from this run's figures and
    the profiling recorded in bench/README.md."""
    if missed("disconnect_floor_ratio", figures["disconnect_floor_ratio"]):
        notes["disconnect_floor_ratio"] = (
            f"wand's own share of the root Disconnect, {us(p50(gap, 'disconnect_root') - total(p50(gap, 'ping_root'), p50(gap, 'netlink_down')))} "
            "over Ping + netlink, is its event loop: two PropertiesChanged signals (disconnecting, disconnected) that "
            "the bus routes before the reply, the operation's timeout timer, three log lines; no lookup grows with "
            "the number of interfaces. perf: 2/3 of wand's CPU per operation is the kernel's link change itself. "
            "Between runs on this shared machine the ratio moves by ±0.1.")
    if missed("disconnect_floor_ratio_unprivileged", figures["disconnect_floor_ratio_unprivileged"]):
        notes["disconnect_floor_ratio_unprivileged"] = (
            "polkitd's answer takes milliseconds, during which the bus, wand and the caller go idle: the hops after "
            "it pay the wake-up from idle that the floors, measured one by one, pay only once each; wand itself adds "
            "the re-dispatch of the call. "
            "polkitd's CheckAuthorization also varies by ±50 % between runs here.")
    t32 = throughput.get(32)
    if t32 and missed("throughput_ratio_32", figures["throughput_ratio_32"]):
        nan = float("nan")
        notes["throughput_ratio_32"] = (
            f"two cores: polkitd needs {t32.get('cpu_ms_per_op_floor_polkitd', nan):.2f} ms of CPU per check and "
            "waits on its own synchronous calls to dbus-daemon; per operation wand's loop used "
            f"{t32.get('cpu_ms_per_op_wand_user_wand', nan):.2f} ms of wand and "
            f"{t32.get('cpu_ms_per_op_wand_user_dbus_daemon', nan):.2f} ms of dbus-daemon against the stand-in's "
            f"{t32.get('cpu_ms_per_op_floor_client', nan):.2f} ms (its check and link change) and "
            f"{t32.get('cpu_ms_per_op_floor_dbus_daemon', nan):.2f} ms: the call, its reply and two "
            "PropertiesChanged signals through the bus, which on two cores is taken from polkitd. "
            f"Rounds ranged {t32.get('ratio_min', nan):.2f}–{t32.get('ratio_max', nan):.2f}.")
    if s10k and missed("get_managed_objects_ms_10000", figures["get_managed_objects_ms_10000"]):
        notes["get_managed_objects_ms_10000"] = (
            f"wand spends {s10k.get('get_managed_objects_cpu_ms_wand', float('nan')):.0f} ms of CPU per call building "
            "the reply (its own GetManagedObjects: 34 sd-bus containers per interface, each through sd-bus's generic "
            f"container code), dbus-daemon {s10k.get('get_managed_objects_cpu_ms_bus', float('nan')):.0f} ms to pass "
            "it on (bench/README.md, Against the targets).")
    if s10k and missed("get_managed_objects_floor_ratio_10000", figures["get_managed_objects_floor_ratio_10000"]):
        notes["get_managed_objects_floor_ratio_10000"] = (
            f"per call wand spends {s10k.get('get_managed_objects_cpu_ms_wand', float('nan')):.0f} ms of CPU building "
            f"the reply, the stand-in sending wand's bytes as they are {s10k.get('get_managed_objects_floor_cpu_ms_stand_in', float('nan')):.1f} ms; "
            "dbus-daemon passes either for about the same.")
    if pairs and missed("disconnect_p50_ratio_10000_vs_10", figures["disconnect_p50_ratio_10000_vs_10"]):
        norm = figures.get("disconnect_floor_ratio_10000_vs_10")
        if norm is not None and norm <= 1.10:
            notes["disconnect_p50_ratio_10000_vs_10"] = (
                f"each size's Disconnect over that size's Ping + netlink floors changes by {norm:.3f}×: the rest is "
                "the kernel's link change and the bus round trip, slower with 10,000 links in the namespace, not wand.")
        else:
            notes["disconnect_p50_ratio_10000_vs_10"] = (
                f"wand's own share grows with the number of interfaces (each size over its floors: {num(norm, '{:.3f}')}×); "
                "profile it as bench/README.md shows.")
    if s10k and missed("ready_s_10000", figures["ready_s_10000"]):
        notes["ready_s_10000"] = "start-up reads 10,000 files and dumps every kernel link before taking the name."
    if s10k and missed("rss_mib_10000", figures["rss_mib_10000"]):
        notes["rss_mib_10000"] = "RSS after GetManagedObjects includes the 5 MB reply's freed buffers malloc keeps."


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--results", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--quick", default="no")
    ap.add_argument("--links", type=int, default=0)
    ap.add_argument("--gap-ms", type=float, default=10)
    args = ap.parse_args()
    res = args.results

    gap = load(f"{res}/latency-gap.json")
    b2b = load(f"{res}/latency-b2b.json")
    throughput = {}
    for f in glob.glob(f"{res}/throughput-*.json"):
        d = load(f)
        throughput[int(d["clients"])] = d
    scale = {}
    for f in glob.glob(f"{res}/scale-*.json"):
        d = load(f)
        scale[int(d["interfaces"])] = d
    pairs = []
    for small_file in sorted(glob.glob(f"{res}/pair-*-small.json")):
        small, large = load(small_file), load(small_file.replace("-small", "-large"))
        if small and large:
            pairs.append((small, large))
    nm = load(f"{res}/nm.json")
    nm_error = None
    if os.path.exists(f"{res}/nm-error.txt"):
        with open(f"{res}/nm-error.txt") as f:
            nm_error = f.read().strip()

    notes = {}
    figures = {}

    # 1-2: floors and latency, gapped (the headline) and back to back.
    def floor_ratios(d):
        if not d:
            return None, None, None, None
        root_floor = total(p50(d, "ping_root"), p50(d, "netlink_down"))
        user_floor = total(p50(d, "ping_user"), p50(d, "check_authorization"), p50(d, "netlink_down"))
        return (ratio(p50(d, "disconnect_root"), root_floor), ratio(p50(d, "disconnect_user"), user_floor),
                root_floor, user_floor)

    g_root, g_user, g_root_floor, g_user_floor = floor_ratios(gap)
    b_root, b_user, b_root_floor, b_user_floor = floor_ratios(b2b)
    figures["disconnect_floor_ratio"] = g_root
    figures["disconnect_floor_ratio_unprivileged"] = g_user
    figures["disconnect_floor_ratio_b2b"] = b_root
    figures["disconnect_floor_ratio_unprivileged_b2b"] = b_user
    if not gap:
        notes["disconnect_floor_ratio"] = "the latency section did not run"
        notes["disconnect_floor_ratio_unprivileged"] = "the latency section did not run"

    # 3: concurrency.
    t32 = throughput.get(32)
    # Against the stand-in (polkitd's check and the link change, issue 15);
    # against polkitd's bare checks as a second figure.
    figures["throughput_ratio_32"] = t32.get("ratio_median") if t32 else None
    figures["throughput_ratio_32_polkit"] = t32.get("ratio_polkit_median") if t32 else None
    if not t32:
        notes["throughput_ratio_32"] = ("quick run: 32 clients not measured" if args.quick == "yes"
                                        else "the concurrency section did not run")
    capped = [c for c, d in sorted(throughput.items()) if d.get("user_in_flight", c) < c]
    if capped:
        d = throughput[capped[-1]]
        notes["throughput_in_flight"] = (
            f"with {', '.join(map(str, capped))} clients only {d['user_in_flight']:.0f} unprivileged calls (and "
            "polkitd's checks) were in flight at once, the clients taking turns: wand refuses checks past 16 "
            "waiting per uid and 96 in all (LimitsExceeded). Root's loop had every client in flight.")

    # 4: scale.
    s10, s10k = scale.get(10), scale.get(10000)
    figures["ready_s_10000"] = s10k["ready_s_p50"] if s10k else None
    figures["get_managed_objects_ms_10000"] = p50(s10k, "get_managed_objects") / 1000 if s10k else None
    figures["rss_mib_10000"] = s10k["rss_mib"] if s10k else None
    # Disconnect at 10,000 against 10: the median over pairs of runs taken
    # back to back (the scale table's own runs are minutes apart).
    pair_ratios = sorted(ratio(p50(large, "disconnect_root"), p50(small, "disconnect_root"))
                         for small, large in pairs)
    pair_floor_ratios = sorted(ratio(scale_floor_ratio(large), scale_floor_ratio(small)) for small, large in pairs)
    pairs_label = (f"{int(pairs[0][1]['interfaces']):,} vs {int(pairs[0][0]['interfaces']):,}" if pairs else None)
    figures["disconnect_p50_ratio_10000_vs_10"] = (
        median(pair_ratios) if pairs and pairs[0][1]["interfaces"] == 10000 and pairs[0][0]["interfaces"] == 10
        else None)
    # The same, each size's Disconnect over that size's floors: what is left
    # of a change once the kernel's and the bus's share is taken out.
    figures["disconnect_floor_ratio_10000_vs_10"] = (
        median(pair_floor_ratios) if figures["disconnect_p50_ratio_10000_vs_10"] is not None else None)
    if not s10k:
        why = "quick run: 10,000 interfaces not measured" if args.quick == "yes" else "the scale section did not run"
        for k in ("ready_s_10000", "get_managed_objects_ms_10000", "rss_mib_10000",
                  "disconnect_p50_ratio_10000_vs_10"):
            notes[k] = why
    scale_figures(figures, notes, scale, args.quick == "yes")

    # 5: NetworkManager.
    wand_root, wand_user = p50(gap, "disconnect_root"), p50(gap, "disconnect_user")
    figures["networkmanager_ratio_root"] = ratio(p50(nm, "nm_disconnect_root_effect"), wand_root) if nm else None
    figures["networkmanager_ratio_unprivileged"] = (
        ratio(p50(nm, "nm_disconnect_user_effect"), wand_user) if nm else None)
    figures["networkmanager_reply_ratio_root"] = ratio(p50(nm, "nm_disconnect_root_reply"), wand_root) if nm else None
    figures["networkmanager_reply_ratio_unprivileged"] = (
        ratio(p50(nm, "nm_disconnect_user_reply"), wand_user) if nm else None)
    if not nm:
        why = nm_error or "the NetworkManager section did not run"
        for k in ("networkmanager_ratio_root", "networkmanager_ratio_unprivileged"):
            notes[k] = why
    elif not gap:
        for k in ("networkmanager_ratio_root", "networkmanager_ratio_unprivileged"):
            notes[k] = "wand's latency was not measured in this run"

    limits(figures, notes, gap, throughput, s10k, pairs)

    # ------------------------------------------------------------ the table
    md = []
    w = md.append
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    w(f"## wand benchmark — {when}{' (quick)' if args.quick == 'yes' else ''}")
    w("")
    w(f"{os.cpu_count()} CPUs, Linux {platform.release()}; every figure a median (p50) with p99 beside it; "
      f"gapped calls wait {args.gap_ms:g} ms idle before each call.")
    w("")
    w("### Targets")
    w("")
    w("| figure | value | target | met |")
    w("| --- | --- | --- | --- |")
    for key in ("disconnect_floor_ratio", "disconnect_floor_ratio_unprivileged", "throughput_ratio_32",
                "throughput_ratio_32_polkit", "ready_s_10000", "get_managed_objects_ms_10000",
                "get_managed_objects_floor_ratio_10000", "rss_mib_10000",
                "disconnect_p50_ratio_10000_vs_10", "disconnect_floor_ratio_10000_vs_10", "networkmanager_ratio_root",
                "networkmanager_ratio_unprivileged"):
        v = figures[key]
        w(f"| `{key}` | {num(v, '{:.3f}') if v is not None else 'null'} | {target_text(key)} | {met(key, v)} |")
    w("")

    if gap or b2b:
        w("### Floors and latency")
        w("")
        w("| call | gapped p50 | gapped p99 | back-to-back p50 | back-to-back p99 |")
        w("| --- | --- | --- | --- | --- |")
        rows = [("Peer.Ping to wand, root", "ping_root"), ("Peer.Ping to wand, unprivileged", "ping_user"),
                ("CheckAuthorization to polkitd", "check_authorization"),
                ("(reference) CheckAuthorization, unix-process subject", "check_authorization_unix_process"),
                ("rtnetlink link down", "netlink_down"), ("rtnetlink link up", "netlink_up"),
                ("wand Disconnect, root", "disconnect_root"), ("wand Connect, root", "connect_root"),
                ("wand Disconnect, unprivileged", "disconnect_user"),
                ("wand Connect, unprivileged", "connect_user")]
        for label, key in rows:
            w(f"| {label} | {us(p50(gap, key))} | {us(p99(gap, key))} | {us(p50(b2b, key))} | {us(p99(b2b, key))} |")
        w("")
        w("| ratio | gapped | back to back | target |")
        w("| --- | --- | --- | --- |")
        w(f"| root: Disconnect / (Ping + netlink) | {num(g_root, '{:.3f}')} "
          f"({us(p50(gap, 'disconnect_root'))} / {us(g_root_floor)}) | {num(b_root, '{:.3f}')} "
          f"({us(p50(b2b, 'disconnect_root'))} / {us(b_root_floor)}) | ≤ 1.25 |")
        w(f"| unprivileged: Disconnect / (Ping + CheckAuthorization + netlink) | {num(g_user, '{:.3f}')} "
          f"({us(p50(gap, 'disconnect_user'))} / {us(g_user_floor)}) | {num(b_user, '{:.3f}')} "
          f"({us(p50(b2b, 'disconnect_user'))} / {us(b_user_floor)}) | ≤ 1.10 |")
        w("")

    if throughput:
        w("### Concurrency")
        w("")
        w("Each client disconnects and connects its own interface in a loop. The stand-in does per operation "
          "only the work no implementation can avoid, with as many in flight: CheckAuthorization as wand sends "
          "it (same subject, action, details), then the same rtnetlink link change on a veth of its own. "
          "polkitd alone: the same checks with nothing after them. The unprivileged clients take uids in turn, "
          "and at most 16 per uid and 96 in all are in flight (wand's caps on checks waiting for polkit; past "
          "them the clients take turns); root's loop has every client in flight. Ratios: medians over "
          "alternating rounds of wand's operations/s over the stand-in's (target ≥ 0.9) and over polkitd's "
          "checks/s.")
        w("")
        w("| clients | unprivileged in flight (uids) | wand, unprivileged (ops/s) | stand-in (ops/s) | "
          "ratio (min–max) | polkitd alone (checks/s) | ratio to polkitd (min–max) | wand, root (ops/s) |")
        w("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for c in sorted(throughput):
            d = throughput[c]
            in_flight = (f"{d['user_in_flight']:.0f} ({min(c, d['uids']):.0f})" if "user_in_flight" in d
                         else f"{c} (1)")
            w(f"| {c} | {in_flight} | {d['wand_user_ops_per_s']:.0f} | {num(d.get('floor_ops_per_s'), '{:.0f}')} | "
              f"{num(d.get('ratio_median'), '{:.3f}')} ({num(d.get('ratio_min'))}–{num(d.get('ratio_max'))}) | "
              f"{d['polkit_checks_per_s']:.0f} | {num(d.get('ratio_polkit_median'), '{:.3f}')} "
              f"({num(d.get('ratio_polkit_min'))}–{num(d.get('ratio_polkit_max'))}) | "
              f"{d['wand_root_ops_per_s']:.0f} |")
        w("")
        w("CPU per operation (ms; per check in polkitd's loop), from /proc over each phase: where the two cores "
          "go. The stand-in's own work, the link change included, is its client column.")
        w("")
        w("| clients | loop | polkitd | dbus-daemon | wand | client |")
        w("| --- | --- | --- | --- | --- | --- |")
        for c in sorted(throughput):
            d = throughput[c]
            for phase, label in (("wand_user", "wand, unprivileged"), ("floor", "stand-in"),
                                 ("polkit", "polkitd alone"), ("wand_root", "wand, root")):
                cells = [d.get(f"cpu_ms_per_op_{phase}_{k}") for k in ("polkitd", "dbus_daemon", "wand", "client")]
                w(f"| {c} | {label} | " + " | ".join(num(x, "{:.3f}") for x in cells) + " |")
        w("")

    if scale:
        w("### Scale")
        w("")
        w(f"Configured interfaces, all on real veth devices (created up to {args.links}); wand started "
          "fresh at each size. READY: from fork() to sd_notify READY=1 (median of 3 starts; one past 10,000). "
          "RSS: after the "
          "calls below. GetManagedObjects' floor: a stand-in on the same bus answering with wand's reply "
          "body as the bytes wand sent, behind a header it marshals per call (no serialization: the bus "
          "passing the reply and the client reading it); its calls alternate with wand's on "
          "one connection. CPU per call from /proc. Disconnect: root, gapped.")
        w("")
        w("| interfaces | READY | GetManagedObjects p50 (p99) | its CPU: wand / dbus-daemon | "
          "floor p50 (p99) | floor's CPU: stand-in / dbus-daemon | wand / floor | "
          "ListInterfaces p50 (p99) | RSS (at READY) | "
          "Ping p50 | netlink down p50 | Disconnect p50 (p99) | Disconnect / (Ping + netlink) |")
        w("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for n in sorted(scale):
            d = scale[n]
            w(f"| {n:,} | {d['ready_s_p50'] * 1000:.0f} ms | {us(p50(d, 'get_managed_objects'))} "
              f"({us(p99(d, 'get_managed_objects'))}) | "
              f"{num(d.get('get_managed_objects_cpu_ms_wand'), '{:.1f}')} / "
              f"{num(d.get('get_managed_objects_cpu_ms_bus'), '{:.1f}')} ms | "
              f"{us(p50(d, 'get_managed_objects_floor'))} ({us(p99(d, 'get_managed_objects_floor'))}) | "
              f"{num(d.get('get_managed_objects_floor_cpu_ms_stand_in'), '{:.1f}')} / "
              f"{num(d.get('get_managed_objects_floor_cpu_ms_bus'), '{:.1f}')} ms | "
              f"{num(d.get('get_managed_objects_floor_ratio'), '{:.2f}')} | {us(p50(d, 'list_interfaces'))} "
              f"({us(p99(d, 'list_interfaces'))}) | {d['rss_mib']:.1f} MiB ({d['rss_mib_ready']:.1f}) | "
              f"{us(p50(d, 'ping_root'))} | {us(p50(d, 'netlink_down'))} | {us(p50(d, 'disconnect_root'))} "
              f"({us(p99(d, 'disconnect_root'))}) | {num(scale_floor_ratio(d), '{:.3f}')} |")
        w("")

    growth = figures.get("growth_50000_vs_10000")
    if growth:
        w("From 10,000 to 50,000 interfaces (linear: 5×; Disconnect should stay flat):")
        w("")
        w("| figure | 10,000 | 50,000 | 50,000 / 10,000 | over linear (÷ 5) |")
        w("| --- | --- | --- | --- | --- |")
        for key, label, get in GROWTH:
            a, b, g = get(scale[10000]), get(scale[50000]), growth.get(key)
            w(f"| {label} | {num(a, '{:.3f}')} | {num(b, '{:.3f}')} | {num(g, '{:.2f}×')} | "
              f"{num(g / 5 if g is not None else None, '{:.2f}')} |")
        w("")

    if pairs:
        w(f"Disconnect at {pairs_label} interfaces, in pairs of runs taken back to back (root, gapped):")
        w("")
        w("| pair | small: Disconnect p50 | small: Ping + netlink p50 | large: Disconnect p50 | "
          "large: Ping + netlink p50 | Disconnect large / small | same, each over its floors |")
        w("| --- | --- | --- | --- | --- | --- | --- |")
        for k, (small, large) in enumerate(pairs, 1):
            w(f"| {k} | {us(p50(small, 'disconnect_root'))} | "
              f"{us(total(p50(small, 'ping_root'), p50(small, 'netlink_down')))} | "
              f"{us(p50(large, 'disconnect_root'))} | "
              f"{us(total(p50(large, 'ping_root'), p50(large, 'netlink_down')))} | "
              f"{num(ratio(p50(large, 'disconnect_root'), p50(small, 'disconnect_root')), '{:.3f}')} | "
              f"{num(ratio(scale_floor_ratio(large), scale_floor_ratio(small)), '{:.3f}')} |")
        w(f"| median | | | | | {num(median(pair_ratios), '{:.3f}')} | {num(median(pair_floor_ratios), '{:.3f}')} |")
        w("")

    w("### NetworkManager")
    w("")
    if nm:
        w("`Device.Disconnect()` on a veth with a manual-address keyfile connection, same bus, same gap. "
          "NetworkManager replies before it acts: its effect is the address deleted or the link down, as "
          "an rtnetlink watcher sees it. wand replies once the link is down: its reply is its effect.")
        w("")
        w("| caller | NetworkManager reply p50 (p99) | NetworkManager effect p50 (p99) | wand Disconnect p50 (p99) | "
          "effect / wand |")
        w("| --- | --- | --- | --- | --- |")
        w(f"| root | {us(p50(nm, 'nm_disconnect_root_reply'))} ({us(p99(nm, 'nm_disconnect_root_reply'))}) | "
          f"{us(p50(nm, 'nm_disconnect_root_effect'))} ({us(p99(nm, 'nm_disconnect_root_effect'))}) | "
          f"{us(wand_root)} ({us(p99(gap, 'disconnect_root'))}) | {num(figures['networkmanager_ratio_root'])} |")
        w(f"| unprivileged | {us(p50(nm, 'nm_disconnect_user_reply'))} ({us(p99(nm, 'nm_disconnect_user_reply'))}) | "
          f"{us(p50(nm, 'nm_disconnect_user_effect'))} ({us(p99(nm, 'nm_disconnect_user_effect'))}) | "
          f"{us(wand_user)} ({us(p99(gap, 'disconnect_user'))}) | "
          f"{num(figures['networkmanager_ratio_unprivileged'])} |")
    else:
        w(f"Not measured: {nm_error or 'the section did not run'}.")
    w("")
    if notes:
        w("### Notes")
        w("")
        for k, v in notes.items():
            w(f"- `{k}`: {v}")
        w("")

    text = "\n".join(md)
    print(text)

    os.makedirs(args.out, exist_ok=True)
    with open(f"{args.out}/latest.md", "w") as f:
        f.write(text + "\n")

    out = {k: (round(v, 4) if isinstance(v, float) else v) for k, v in figures.items()}
    out["notes"] = notes
    out["targets"] = {k: f"{op} {t:g}" for k, (op, t) in TARGETS.items()}
    out["run"] = {
        "date": when,
        "quick": args.quick == "yes",
        "cpus": os.cpu_count(),
        "kernel": platform.release(),
        "gap_ms": args.gap_ms,
        "veth_links": args.links,
    }
    out["raw"] = {"latency_gap": gap, "latency_b2b": b2b, "scale_pairs": [list(p) for p in pairs],
                  "throughput": {str(k): v for k, v in sorted(throughput.items())},
                  "scale": {str(k): v for k, v in sorted(scale.items())}, "networkmanager": nm}
    with open(f"{args.out}/latest.json", "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")

    plot(scale, args.out)


def plot(scale, out):
    png = f"{out}/latency-vs-interfaces.png"
    if not scale:
        return
    data = f"{out}/.scale.dat"
    with open(data, "w") as f:
        f.write("# interfaces disc_p50 disc_p99 gmo_p50 gmo_p99 list_p50 list_p99 ping_p50 floor_p50 (ms)\n")
        for n in sorted(scale):
            d = scale[n]
            vals = [p50(d, "disconnect_root"), p99(d, "disconnect_root"), p50(d, "get_managed_objects"),
                    p99(d, "get_managed_objects"), p50(d, "list_interfaces"), p99(d, "list_interfaces"),
                    p50(d, "ping_root"), p50(d, "get_managed_objects_floor")]
            # gnuplot skips "NaN": a figure not taken (LimitsExceeded).
            f.write(f"{n} " + " ".join("NaN" if v is None else f"{v / 1000:.4f}" for v in vals) + "\n")
    script = f"""
set terminal pngcairo size 1000,640 font ",11"
set output "{png}"
set title "wand: latency against the number of configured interfaces (median, p99 dashed)"
set logscale xy
set xlabel "configured interfaces"
set ylabel "latency (ms)"
set xrange [5:100000]
set yrange [0.02:5000]
set grid xtics ytics mxtics mytics lc rgb "#dddddd"
set key top left
set xtics ("10" 10, "100" 100, "1,000" 1000, "10,000" 10000, "50,000" 50000)
plot "{data}" using 1:4 with linespoints lw 2 pt 7 lc rgb "#1f77b4" title "GetManagedObjects p50", \\
     "{data}" using 1:9 with linespoints lw 1 pt 6 lc rgb "#17becf" title "GetManagedObjects floor (stand-in) p50", \\
     "{data}" using 1:5 with lines dt 2 lc rgb "#1f77b4" title "GetManagedObjects p99", \\
     "{data}" using 1:6 with linespoints lw 2 pt 5 lc rgb "#2ca02c" title "ListInterfaces p50", \\
     "{data}" using 1:7 with lines dt 2 lc rgb "#2ca02c" title "ListInterfaces p99", \\
     "{data}" using 1:2 with linespoints lw 2 pt 9 lc rgb "#d62728" title "Disconnect (root) p50", \\
     "{data}" using 1:3 with lines dt 2 lc rgb "#d62728" title "Disconnect (root) p99", \\
     "{data}" using 1:8 with linespoints lw 1 pt 1 lc rgb "#7f7f7f" title "Peer.Ping (bus round trip) p50", \\
     100 with lines dt 3 lc rgb "#1f77b4" title "GetManagedObjects target at 10,000 (100 ms)"
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"report.py: no plot: {e}", file=sys.stderr)
    finally:
        os.unlink(data)


if __name__ == "__main__":
    main()
