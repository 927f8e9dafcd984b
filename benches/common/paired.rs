//! Comparing server configurations on a shared machine whose speed drifts: the
//! configurations run interleaved, one run each per round, and each is compared with
//! the baseline of the same round. The reported cost is the median of those per-round
//! ratios, with their range, so the reader sees the spread; a ratio of medians would
//! mix rounds run at different machine speeds.

use std::fmt;

/// Rounds to run: `var` from the environment (a positive integer), else 5.
pub fn rounds(var: &str) -> usize {
    match std::env::var(var) {
        Ok(text) => match text.trim().parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => panic!("{var} must be a positive number of rounds, got {text:?}"),
        },
        Err(_) => 5,
    }
}

/// Runs every mode once per round, in the order given, `rounds` times. Returns the
/// rates as `rates[mode][round]`.
pub async fn interleaved<M: Copy>(
    modes: &[M],
    rounds: usize,
    mut run: impl AsyncFnMut(M) -> f64,
) -> Vec<Vec<f64>> {
    let mut rates = vec![Vec::with_capacity(rounds); modes.len()];
    for _ in 0..rounds {
        for (at, mode) in modes.iter().enumerate() {
            rates[at].push(run(*mode).await);
        }
    }
    rates
}

/// For each client count: runs `modes` interleaved for `rounds` rounds (`run(mode,
/// clients)` returns a rate) and compares every mode but `modes[baseline]` with the
/// baseline, round by round. Returns `(clients, spreads in mode order)`.
pub async fn compare<M: Copy>(
    modes: &[M],
    baseline: usize,
    client_counts: &[usize],
    rounds: usize,
    mut run: impl AsyncFnMut(M, usize) -> f64,
) -> Vec<(usize, Vec<Spread>)> {
    let mut summary = Vec::new();
    for &clients in client_counts {
        let rates = interleaved(modes, rounds, async |mode| run(mode, clients).await).await;
        let spreads = (0..modes.len())
            .filter(|at| *at != baseline)
            .map(|at| Spread::paired(&rates[at], &rates[baseline]))
            .collect();
        summary.push((clients, spreads));
    }
    summary
}

/// Prints what `compare` found as a table: per client count, each mode's ratio to the
/// baseline (median, min–max), then its cost in per cent, then `extra` if not empty.
/// `headers` name the modes' ratio and cost columns, in that order.
pub fn print_costs(
    backend: &str,
    baseline: &str,
    rounds: usize,
    headers: &[&str],
    extra: (&str, &str),
    summary: &[(usize, Vec<Spread>)],
) {
    println!(
        "median of the per-round ratios to the run {baseline} (min–max over {rounds} rounds):"
    );
    let (extra_header, extra_cell) = extra;
    let mut columns = vec!["backend", "clients"];
    columns.extend(headers);
    if !extra_header.is_empty() {
        columns.push(extra_header);
    }
    println!("| {} |", columns.join(" | "));
    println!("|{}", "---|".repeat(columns.len()));
    for (clients, spreads) in summary {
        let mut cells = vec![backend.to_owned(), clients.to_string()];
        cells.extend(spreads.iter().map(Spread::to_string));
        cells.extend(spreads.iter().map(|s| format!("{:.1} %", s.cost_percent())));
        if !extra_header.is_empty() {
            cells.push(extra_cell.to_owned());
        }
        println!("| {} |", cells.join(" | "));
    }
}

/// The median of a set of figures (the mean of the middle two when even).
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => sorted[n / 2],
        _ => (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0,
    }
}

/// Per-round ratios of a mode's rate to the baseline's: their median and range.
#[derive(Debug, Clone, Copy)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    /// `mode[i] / baseline[i]` for each round `i`.
    pub fn paired(mode: &[f64], baseline: &[f64]) -> Spread {
        assert_eq!(mode.len(), baseline.len(), "one baseline run per round");
        let ratios: Vec<f64> = mode.iter().zip(baseline).map(|(m, b)| m / b).collect();
        Spread {
            median: median(&ratios),
            min: ratios.iter().copied().fold(f64::INFINITY, f64::min),
            max: ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }

    /// Throughput lost to the mode, in per cent, from the median ratio.
    pub fn cost_percent(&self) -> f64 {
        (1.0 - self.median) * 100.0
    }
}

/// `0.953 (0.912–0.988)`: the median ratio and the range of the per-round ratios.
impl fmt::Display for Spread {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3} ({:.3}–{:.3})", self.median, self.min, self.max)
    }
}
