//! Criterion benches of the grid hot paths: tobytes (matching and mismatched orders) and assemble.
//!
//! `cargo bench -p brickwork-grid` (add `-- --quick` for a short run). Throughput is of the array bytes.

#![allow(missing_docs, clippy::unwrap_used)]

use brickwork_core::Order;
use brickwork_grid::{assemble_into, tobytes, tobytes_into, ChunkGrid, Edge, Layout};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// (label, shape, item size, source layout, chunk order, chunk shape)
type Case = (&'static str, [usize; 3], usize, Order, Order, [usize; 3]);

fn cases() -> Vec<Case> {
    vec![
        (
            "u1 256^3 C->C 32^3",
            [256, 256, 256],
            1,
            Order::C,
            Order::C,
            [32, 32, 32],
        ),
        (
            "u1 256^3 C->C 128^3",
            [256, 256, 256],
            1,
            Order::C,
            Order::C,
            [128, 128, 128],
        ),
        (
            "f4 256x256x128 F->F 64^3",
            [256, 256, 128],
            4,
            Order::F,
            Order::F,
            [64, 64, 64],
        ),
        (
            "f4 256x256x128 F->C 64^3",
            [256, 256, 128],
            4,
            Order::F,
            Order::C,
            [64, 64, 64],
        ),
        (
            "u2 256x256x128 C->F 64^3",
            [256, 256, 128],
            2,
            Order::C,
            Order::F,
            [64, 64, 64],
        ),
    ]
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("grid");
    for (label, shape, isz, layout_order, order, chunk) in cases() {
        let n: usize = shape.iter().product::<usize>() * isz;
        let data: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
        let layout = Layout::contiguous(&shape, isz, layout_order).unwrap();
        let grid = ChunkGrid::new(&shape, &chunk, Edge::Exact).unwrap();
        g.throughput(Throughput::Bytes(n as u64));
        g.bench_function(BenchmarkId::new("tobytes", label), |b| {
            b.iter(|| tobytes(&data, &layout, &grid, order, &[], Some(1)).unwrap())
        });
        let mut chunks = tobytes(&data, &layout, &grid, order, &[], Some(1)).unwrap();
        g.bench_function(BenchmarkId::new("tobytes_into (warm buffers)", label), |b| {
            b.iter(|| {
                let mut outs: Vec<&mut [u8]> = chunks.iter_mut().map(|c| c.as_mut_slice()).collect();
                tobytes_into(&data, &layout, &grid, order, &[], &mut outs, Some(1)).unwrap()
            })
        });
        let refs: Vec<&[u8]> = chunks.iter().map(|c| c.as_slice()).collect();
        let mut out = vec![0u8; n];
        g.bench_function(BenchmarkId::new("assemble", label), |b| {
            b.iter(|| assemble_into(&refs, &grid, order, &mut out, &layout, Some(1)).unwrap())
        });
        g.bench_function(BenchmarkId::new("memcpy", label), |b| {
            b.iter(|| out.copy_from_slice(&data))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
