//! The chunk files a store holds, found by listing its directory (not by walking the grid, which the
//! metadata may claim to be huge): for deleting those a resize leaves outside, and for counting the
//! chunks written (zarr-python's `nchunks_initialized`).

use std::fs;
use std::path::{Path, PathBuf};

use brickwork_core::{Error, Result};

use super::shard::ShardFile;
use super::{chunk_error, ZarrArray};

impl ZarrArray {
    /// Every chunk file (shard file, for a sharded array) in the store whose name is a chunk key of
    /// this array: its grid position (which may lie outside the grid) and its path.
    pub(super) fn chunk_files(&self) -> Result<Vec<(Vec<usize>, PathBuf)>> {
        let mut files = Vec::new();
        if self.shape.is_empty() {
            let file = self.path.join(self.chunk_key(&[0]));
            if file.is_file() {
                files.push((vec![0], file));
            }
            return Ok(files);
        }
        let sep = self.keys.separator;
        if sep == '/' {
            let root = if self.keys.prefix {
                self.path.join("c")
            } else {
                self.path.clone()
            };
            list_nested(&root, &mut Vec::new(), self.shape.len(), &mut files)?;
            return Ok(files);
        }
        for entry in read_dir(&self.path)? {
            let name = entry.file_name().to_string_lossy().into_owned();
            let name = match (self.keys.prefix, name.strip_prefix("c.")) {
                (true, Some(rest)) => rest.to_owned(),
                (true, None) => continue,
                (false, _) => name,
            };
            let coords: Option<Vec<usize>> = name.split(sep).map(number).collect();
            if let Some(coords) = coords.filter(|c| c.len() == self.shape.len()) {
                if entry.path().is_file() {
                    files.push((coords, entry.path()));
                }
            }
        }
        Ok(files)
    }

    /// How many chunks have been written (zarr-python's `nchunks_initialized`): chunk files inside the
    /// grid; for a sharded array, the inner chunks inside the array that the shard files' indexes hold
    /// (each index read and checked).
    pub fn initialized_chunks(&self) -> Result<u64> {
        let inside = |coords: &[usize], grid: &[usize]| coords.iter().zip(grid).all(|(c, n)| c < n);
        let files = self.chunk_files()?;
        if self.shard.is_none() {
            let grid = self.grid.grid_shape();
            return Ok(files.iter().filter(|(c, _)| inside(c, grid)).count() as u64);
        }
        let inner_grid = self.decode_grid()?;
        let mut count = 0u64;
        for (at, path) in files.iter().filter(|(c, _)| inside(c, self.grid.grid_shape())) {
            let key = self.chunk_key(at);
            let shard = self.shard_codec(at)?;
            let (per_shard, first) = (shard.per_shard(), self.first_inner(at)?);
            let open = shard
                .open_shard(ShardFile::open(path.clone())?, false)
                .map_err(|e| chunk_error(&key, e))?;
            for (j, local) in (0..per_shard.iter().product::<usize>()).map(|j| (j, c_coords(j, per_shard))) {
                let global: Vec<usize> = (0..local.len()).map(|a| first[a] + local[a]).collect();
                if inside(&global, inner_grid.grid_shape()) && open.holds(j) {
                    count += 1;
                }
            }
        }
        Ok(count)
    }
}

/// The coordinates of the `j`-th position of a C-order walk over `shape`.
fn c_coords(j: usize, shape: &[usize]) -> Vec<usize> {
    let mut coords = vec![0usize; shape.len()];
    let mut rest = j;
    for (c, &n) in coords.iter_mut().zip(shape).rev() {
        *c = rest % n;
        rest /= n;
    }
    coords
}

/// A grid coordinate of a chunk key: decimal digits only.
fn number(s: &str) -> Option<usize> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn read_dir(dir: &Path) -> Result<Vec<fs::DirEntry>> {
    match fs::read_dir(dir) {
        Ok(entries) => entries
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|e| Error::io(format!("cannot list {}", dir.display()), e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io(format!("cannot list {}", dir.display()), e)),
    }
}

/// The chunk files of nested keys (`i/j/k`) under `dir`, `depth` levels deep: `(coords, path)`.
fn list_nested(
    dir: &Path,
    prefix: &mut Vec<usize>,
    depth: usize,
    out: &mut Vec<(Vec<usize>, PathBuf)>,
) -> Result<()> {
    for entry in read_dir(dir)? {
        let Some(c) = number(&entry.file_name().to_string_lossy()) else {
            continue;
        };
        prefix.push(c);
        let path = entry.path();
        if prefix.len() == depth {
            if path.is_file() {
                out.push((prefix.clone(), path));
            }
        } else if path.is_dir() {
            list_nested(&path, prefix, depth, out)?;
        }
        prefix.pop();
    }
    Ok(())
}
