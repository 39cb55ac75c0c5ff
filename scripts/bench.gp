# The plots of make bench, from the data that scripts/bench-report.py
# writes into dir (gnuplot -e "dir='build/bench'" scripts/bench.gp).
set terminal pngcairo size 1200,800 noenhanced font ',10'
set grid
set key below

# The wait of the target's busy thread over the time of each move, stock
# against ours; page_migrate, which stock lacks, against stock's
# migrate_pages.  Each point is the longest mmap, fault and munmap of the
# calls begun in a short slice of time; the move begins at 0.
set output dir.'/wait.png'
set multiplot layout 2,2 title 'Wait of a thread of the target during a move (log scale)'
set logscale y
set xlabel 'ms since the move began'
set ylabel 'longest wait (ms)'
data(m, k) = dir.'/wait-'.m.'-'.k.'.dat'
bound(x) = 10
do for [m in 'migrate_pages move_pages cpuset'] {
	set title m
	plot data(m, 'stock') with linespoints pt 7 ps 0.4 lw 1.5 title 'stock', \
	     data(m, 'patched') with linespoints pt 7 ps 0.4 lw 1.5 title 'ours'
}
set title 'page_migrate (ours) against migrate_pages (stock)'
plot data('migrate_pages', 'stock') with linespoints pt 7 ps 0.4 lw 1.5 title 'stock migrate_pages', \
     data('page_migrate', 'patched') with linespoints pt 7 ps 0.4 lw 1.5 title 'ours page_migrate', \
     bound(x) with lines dt 2 lc 'black' title '10 ms goal'
unset multiplot
unset logscale y

# Page-fault throughput per policy mode.
set output dir.'/faults.png'
set title 'Page-fault throughput per policy mode (medians)'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xlabel 'mode'
set ylabel 'faults/s'
set yrange [0:*]
set xtics rotate by -20
plot dir.'/faults.dat' using 2:xtic(1) title 'stock', '' using 3 title 'ours'
