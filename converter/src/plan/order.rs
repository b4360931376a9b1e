//! Creation order: parents before children, views after what they read.

use std::collections::BTreeSet;

/// Order `n` items so that each comes after its dependencies (`deps[i]`: indexes that `i` needs),
/// keeping the original order wherever the dependencies allow. Returns the order and the
/// dependency edges `(item, dependency)` that had to be broken because they form a cycle.
pub fn topological(n: usize, deps: &[BTreeSet<usize>]) -> (Vec<usize>, Vec<(usize, usize)>) {
    let mut placed = vec![false; n];
    let mut order = Vec::with_capacity(n);
    let mut broken = Vec::new();
    while order.len() < n {
        // The first item, in original order, whose dependencies are all placed.
        let ready = (0..n).find(|&i| !placed[i] && deps[i].iter().all(|&d| d == i || placed[d]));
        let next = match ready {
            Some(i) => i,
            None => {
                // A cycle: place the first unplaced item and break its open edges.
                let i = (0..n).find(|&i| !placed[i]).unwrap_or(0);
                for &d in &deps[i] {
                    if d != i && !placed[d] {
                        broken.push((i, d));
                    }
                }
                i
            }
        };
        placed[next] = true;
        order.push(next);
    }
    (order, broken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_first_and_cycles_broken() {
        let deps = vec![BTreeSet::from([1]), BTreeSet::new(), BTreeSet::from([2])];
        assert_eq!(topological(3, &deps), (vec![1, 0, 2], vec![]));
        let cyclic = vec![BTreeSet::from([1]), BTreeSet::from([0])];
        assert_eq!(topological(2, &cyclic), (vec![0, 1], vec![(0, 1)]));
    }
}
