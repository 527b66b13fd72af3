#!/usr/bin/env bash
# Summarizes the output of bench/handshakes.sh as Markdown tables:
#  1. per key type, server and client: the median over the rounds of
#     handshakes per wall second, handshakes per second of server CPU time
#     with its range over the rounds, and the server's CPU use, the
#     largest peak RSS, and the median over the rounds of serve's CPU rate
#     divided by this server's in the same round;
#  2. with FLOOR.TXT (go test -bench HandshakeCrypto output): the floor of
#     each key type and serve's CPU rate as a share of it.
#
#   bench/summarize.sh results.tsv [floor.txt]
set -euo pipefail
[ $# -ge 1 ] && [ $# -le 2 ] || {
	echo "usage: summarize.sh results.tsv [floor.txt]" >&2
	exit 2
}

awk -F'\t' -v floorfile="${2:-}" '
function extreme(list, want,    n, a, i, best) {
	n = split(list, a, " ")
	best = a[1]
	for (i = 2; i <= n; i++)
		if ((want == "min" && a[i] + 0 < best + 0) || (want == "max" && a[i] + 0 > best + 0)) best = a[i]
	return best
}
function median(list,    n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
NR == 1 { next }
{
	if (!($2 in serverorder)) serverorder[$2] = sprintf("%03d", ++servers)
	id = $1 SUBSEP $3 SUBSEP serverorder[$2] SUBSEP $2
	if (!(id in seen)) { seen[id] = 1; ids[++n] = id }
	wall[id] = wall[id] " " ($6 > 0 ? $5 / $6 : 0)
	cpu[id] = cpu[id] " " ($7 > 0 ? $5 / $7 : 0)
	roundrate[$1 SUBSEP $3 SUBSEP $2 SUBSEP $4] = $7 > 0 ? $5 / $7 : 0
	roundlist[id] = roundlist[id] " " $4
	use[id] = use[id] " " ($6 > 0 ? 100 * $7 / $6 : 0)
	if ($8 > rss[id]) rss[id] = $8
	rounds[id]++
}
END {
	# Group the rows by key type and client, and keep the servers in the
	# order of the first round.
	for (i = 1; i <= n; i++) {
		for (j = i; j > 1 && ids[j-1] > ids[j]; j--) { t = ids[j]; ids[j] = ids[j-1]; ids[j-1] = t }
	}
	for (i = 1; i <= n; i++) {
		split(ids[i], k, SUBSEP)
		cpurate[ids[i]] = median(cpu[ids[i]])
		if (k[4] == "serve") servecpu[k[1] SUBSEP k[2]] = cpurate[ids[i]]
	}
	print "| key | client | server | handshakes/s (wall) | handshakes per server CPU s | range over the rounds | server CPU use | serve ÷ this server | peak RSS | rounds |"
	print "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
	for (i = 1; i <= n; i++) {
		id = ids[i]
		split(id, k, SUBSEP)
		# The ratio of the rates in the same round, so that both sides
		# share the load of the machine at that time, then the median.
		ratios = ""
		split(substr(roundlist[id], 2), rs, " ")
		for (r in rs) {
			mine = roundrate[k[1] SUBSEP k[2] SUBSEP k[4] SUBSEP rs[r]]
			theirs = roundrate[k[1] SUBSEP k[2] SUBSEP "serve" SUBSEP rs[r]]
			if (mine > 0 && theirs > 0) ratios = ratios " " theirs / mine
		}
		ratio = ratios == "" ? 0 : median(ratios)
		printf "| %s | %s | %s | %.0f | %.0f | %.0f–%.0f | %.0f %% | %.2f× | %.1f MiB | %d |\n",
			k[1], k[2], k[4], median(wall[id]), cpurate[id], extreme(cpu[id], "min"), extreme(cpu[id], "max"),
			median(use[id]), ratio, rss[id] / 1024, rounds[id]
	}
	if (floorfile == "") exit
	while ((getline line < floorfile) > 0) {
		if (line !~ /^BenchmarkHandshakeCrypto\/.*\/floor/) continue
		split(line, f, /[ \t]+/)
		split(f[1], name, "/")
		floors[name[2]] = floors[name[2]] " " f[3]
	}
	print ""
	print "| key | crypto floor per handshake | floor handshakes per CPU s | serve per CPU s (sequential, parallel) | serve share of the floor |"
	print "|---|---:|---:|---:|---:|"
	for (key in floors) {
		ns = median(floors[key])
		seq = servecpu[key SUBSEP "sequential"]
		par = servecpu[key SUBSEP "parallel"]
		printf "| %s | %.0f µs | %.0f | %.0f, %.0f | %.0f %%, %.0f %% |\n",
			key, ns / 1000, 1e9 / ns, seq, par, 100 * seq * ns / 1e9, 100 * par * ns / 1e9
	}
}' "$1"
