//! brickwork-grid: cut N-d arrays into a grid of chunks and back, encode chunks in parallel, Zarr v2 stores.
