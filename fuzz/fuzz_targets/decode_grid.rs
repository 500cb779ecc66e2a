//! Fuzzes the grid: shapes, chunk shapes, edge modes, orders and layouts taken from the input. Whatever
//! is accepted must round-trip (`assemble_into(tobytes(x)) == x`) with 1 and 2 threads.
#![no_main]

use brickwork_core::Order;
use brickwork_grid::{assemble_into, tobytes, ChunkGrid, Edge, Layout};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let [ndim, isz, flags, rest @ ..] = data else { return };
    let ndim = usize::from(*ndim % 5) + 1;
    let isz = [1usize, 2, 3, 4, 8][usize::from(*isz % 5)];
    if rest.len() < 2 * ndim {
        return;
    }
    let shape: Vec<usize> = rest[..ndim].iter().map(|&b| usize::from(b % 9)).collect();
    let chunk: Vec<usize> = rest[ndim..2 * ndim].iter().map(|&b| usize::from(b % 6)).collect();
    let edge = [Edge::Exact, Edge::Truncate, Edge::Pad][usize::from(flags % 3)];
    let order = if flags & 4 == 0 { Order::C } else { Order::F };
    let src_order = if flags & 8 == 0 { Order::C } else { Order::F };
    let Ok(grid) = ChunkGrid::new(&shape, &chunk, edge) else { return };
    let Ok(layout) = Layout::contiguous(&shape, isz, src_order) else { return };
    let n: usize = shape.iter().product::<usize>() * isz;
    let src: Vec<u8> = (0..n).map(|i| (i % 251) as u8).collect();
    let fill = vec![0xEE; isz];
    let chunks = tobytes(&src, &layout, &grid, order, &fill, Some(1)).expect("valid grid cuts");
    assert_eq!(chunks, tobytes(&src, &layout, &grid, order, &fill, Some(2)).expect("valid grid cuts"));
    let refs: Vec<&[u8]> = chunks.iter().map(|c| c.as_slice()).collect();
    let mut back = vec![0u8; n];
    assemble_into(&refs, &grid, order, &mut back, &layout, Some(2)).expect("chunks assemble");
    assert_eq!(back, src);
});
