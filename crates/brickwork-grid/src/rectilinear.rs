//! The chunk edges of one axis of a rectilinear (variable) chunk grid: each chunk along the axis has its
//! own length, as Zarr v3's `rectilinear` chunk grid lists them.
//!
//! The lengths are kept as runs (`[size, count]`, the grid's run-length encoding), never expanded: a
//! metadata document may declare a trillion chunks in a few bytes, so nothing is sized by the count.
//! Lookups (where chunk `i` starts, which chunk holds position `p`) are binary searches over the runs.

use brickwork_core::{Error, Result};

/// One run: `count` chunks of `size` elements, the first of them chunk `first`, starting at `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Run {
    size: usize,
    count: usize,
    first: usize,
    start: usize,
}

/// The chunk lengths along one axis (at least one chunk, every length at least 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edges {
    runs: Vec<Run>,
    /// Chunks declared.
    len: usize,
    /// The sum of the lengths (the extent the chunks cover).
    total: usize,
}

impl Edges {
    /// Edges from runs of `(size, count)`, in order (adjacent runs of one size are merged). Errors: no
    /// chunk, a size or count of 0, or a total length past what can be addressed.
    pub fn from_runs(runs: impl IntoIterator<Item = (usize, usize)>) -> Result<Self> {
        let mut out: Vec<Run> = Vec::new();
        let (mut len, mut total) = (0usize, 0usize);
        for (size, count) in runs {
            if size == 0 || count == 0 {
                return Err(Error::InvalidArray(format!(
                    "chunk edge lengths and their repeat counts must be at least 1, got [{size}, {count}]"
                )));
            }
            let span = size.checked_mul(count).and_then(|s| s.checked_add(total));
            let (Some(new_total), Some(new_len)) = (span, len.checked_add(count)) else {
                return Err(Error::InvalidArray(
                    "the chunk edge lengths add up to more than can be addressed".into(),
                ));
            };
            match out.last_mut() {
                Some(last) if last.size == size => last.count += count,
                _ => out.push(Run {
                    size,
                    count,
                    first: len,
                    start: total,
                }),
            }
            (len, total) = (new_len, new_total);
        }
        if out.is_empty() {
            return Err(Error::InvalidArray(
                "a rectilinear axis needs at least one chunk edge length".into(),
            ));
        }
        Ok(Edges {
            runs: out,
            len,
            total,
        })
    }

    /// Edges of the given lengths, one chunk each.
    pub fn from_sizes(sizes: &[usize]) -> Result<Self> {
        Self::from_runs(sizes.iter().map(|&s| (s, 1)))
    }

    /// The chunks declared.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Always false: there is at least one chunk.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// The sum of the lengths.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The runs, `(size, count)`, in order (adjacent runs have different sizes).
    pub fn runs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.runs.iter().map(|r| (r.size, r.count))
    }

    fn run_of_chunk(&self, i: usize) -> &Run {
        let k = self.runs.partition_point(|r| r.first <= i).saturating_sub(1);
        &self.runs[k]
    }

    /// Where chunk `i` (`< len`) starts.
    pub fn start(&self, i: usize) -> usize {
        let r = self.run_of_chunk(i);
        r.start + (i - r.first) * r.size
    }

    /// The length of chunk `i` (`< len`).
    pub fn size(&self, i: usize) -> usize {
        self.run_of_chunk(i).size
    }

    /// The chunk that holds position `p` (`< total`).
    pub fn chunk_at(&self, p: usize) -> usize {
        let k = self.runs.partition_point(|r| r.start <= p).saturating_sub(1);
        let r = &self.runs[k];
        r.first + (p - r.start) / r.size
    }

    /// The chunks that hold a position below `extent` (`<= total`).
    pub fn active(&self, extent: usize) -> usize {
        if extent == 0 {
            0
        } else {
            self.chunk_at(extent - 1) + 1
        }
    }

    /// The longest of the first `n` chunks (0 for none).
    pub fn largest(&self, n: usize) -> usize {
        self.runs
            .iter()
            .take_while(|r| r.first < n)
            .map(|r| r.size)
            .max()
            .unwrap_or(0)
    }

    /// These edges grown to cover `extent`: one more chunk of the missing length when they fall short
    /// (zarr-python's resize of a rectilinear axis), else unchanged.
    pub fn grown_to(&self, extent: usize) -> Result<Self> {
        if extent <= self.total {
            return Ok(self.clone());
        }
        Self::from_runs(self.runs().chain([(extent - self.total, 1)]))
    }

    /// The lengths as zarr-python writes them: `[size, count]` pairs for runs of more than one, bare
    /// lengths otherwise, when that is shorter than the plain list; else the plain list.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{json, Value};
        if self.runs.len() < self.len {
            Value::Array(
                self.runs
                    .iter()
                    .map(|r| match r.count {
                        1 => json!(r.size),
                        n => json!([r.size, n]),
                    })
                    .collect(),
            )
        } else {
            Value::Array(self.runs.iter().map(|r| json!(r.size)).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_over_runs() {
        // [10, 10, 10, 5, 20]
        let e = Edges::from_runs([(10, 2), (10, 1), (5, 1), (20, 1)]).unwrap();
        assert_eq!((e.len(), e.total()), (5, 55));
        assert_eq!(e.runs().collect::<Vec<_>>(), vec![(10, 3), (5, 1), (20, 1)]);
        let starts: Vec<usize> = (0..5).map(|i| e.start(i)).collect();
        assert_eq!(starts, vec![0, 10, 20, 30, 35]);
        let sizes: Vec<usize> = (0..5).map(|i| e.size(i)).collect();
        assert_eq!(sizes, vec![10, 10, 10, 5, 20]);
        for p in 0..55 {
            let c = e.chunk_at(p);
            assert!(e.start(c) <= p && p < e.start(c) + e.size(c), "{p} in chunk {c}");
        }
        assert_eq!(
            (e.active(0), e.active(1), e.active(30), e.active(31), e.active(55)),
            (0, 1, 3, 4, 5)
        );
        assert_eq!((e.largest(3), e.largest(4), e.largest(5)), (10, 10, 20));
        assert_eq!(e.to_json(), serde_json::json!([[10, 3], 5, 20]));
        assert_eq!(
            Edges::from_sizes(&[10, 20, 30]).unwrap().to_json(),
            serde_json::json!([10, 20, 30])
        );
        let grown = Edges::from_sizes(&[10, 20]).unwrap().grown_to(50).unwrap();
        assert_eq!(grown.runs().collect::<Vec<_>>(), vec![(10, 1), (20, 2)]);
        assert_eq!(grown.to_json(), serde_json::json!([10, [20, 2]])); // zarr-python: RLE when shorter
    }

    #[test]
    fn huge_counts_are_not_expanded_and_bad_edges_are_errors() {
        let e = Edges::from_runs([(1, usize::MAX / 2)]).unwrap();
        assert_eq!(e.chunk_at(1 << 60), 1 << 60);
        assert_eq!(e.to_json(), serde_json::json!([[1, usize::MAX / 2]]));
        for bad in [
            vec![],
            vec![(0, 1)],
            vec![(1, 0)],
            vec![(usize::MAX, 2)],
            vec![(2, usize::MAX)],
        ] {
            assert!(Edges::from_runs(bad.clone()).is_err(), "{bad:?}");
        }
    }
}
