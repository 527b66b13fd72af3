#!/usr/bin/env bash
# Summarizes the results.tsv of bench/handshakes.sh as a Markdown table:
# the median over the rounds of handshakes per wall second, handshakes
# per second of server CPU time and the server's CPU use, the largest
# peak RSS, and the ratio of serve's CPU rate to each server's.
#
#   bench/summarize.sh /tmp/mtlsdoctor-bench.XXXXXX/results.tsv
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: summarize.sh results.tsv" >&2; exit 2; }

awk -F'\t' '
function median(list,    n, a, i, j, t) {
	n = split(list, a, " ")
	for (i = 2; i <= n; i++)
		for (j = i; j > 1 && a[j-1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
NR == 1 { next }
{
	id = $1 SUBSEP $2 SUBSEP $3
	if (!(id in seen)) { seen[id] = 1; order[++ids] = id }
	wall[id] = wall[id] " " ($6 > 0 ? $5 / $6 : 0)
	cpu[id] = cpu[id] " " ($7 > 0 ? $5 / $7 : 0)
	use[id] = use[id] " " ($6 > 0 ? 100 * $7 / $6 : 0)
	if ($8 > rss[id]) rss[id] = $8
	rounds[id]++
}
END {
	for (i = 1; i <= ids; i++) {
		id = order[i]
		split(id, k, SUBSEP)
		cpurate[id] = median(cpu[id])
		if (k[2] == "serve") servecpu[k[1] SUBSEP k[3]] = cpurate[id]
	}
	print "| key | server | client | handshakes/s (wall) | handshakes per server CPU s | server CPU use | serve / this server | peak RSS | rounds |"
	print "|---|---|---|---:|---:|---:|---:|---:|---:|"
	for (i = 1; i <= ids; i++) {
		id = order[i]
		split(id, k, SUBSEP)
		ratio = cpurate[id] > 0 ? servecpu[k[1] SUBSEP k[3]] / cpurate[id] : 0
		printf "| %s | %s | %s | %.0f | %.0f | %.0f %% | %.2f× | %.1f MiB | %d |\n",
			k[1], k[2], k[3], median(wall[id]), cpurate[id], median(use[id]), ratio, rss[id] / 1024, rounds[id]
	}
}' "$1"
