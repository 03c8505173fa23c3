/// Tensors read back as plain F# values, so assertions compare numbers and say which one is wrong.
module CommLab.Tests.TensorValues

open Expecto
open TorchSharp

/// Every element of `t` in row-major order, as float32 (any dtype, device or layout).
let floats (t: torch.Tensor) : float32[] =
    // The scope frees the copies made here; `t` itself belongs to the caller and is left alone.
    use _ = torch.NewDisposeScope()
    t.detach().cpu().to_type(torch.float32).contiguous().data<float32>().ToArray()

/// The rows of `t` along its last dimension: a [.., W] tensor becomes an array of W-element arrays.
let rows (t: torch.Tensor) : float32[][] =
    let width = int t.shape[t.shape.Length - 1]
    floats t |> Array.chunkBySize width

/// A float32 matrix from its rows (all the same length).
let matrix (values: float32[][]) : torch.Tensor =
    torch.tensor(Array.concat values).reshape(int64 values.Length, int64 values[0].Length)

/// True if `v` is one of the `alphabet` evenly spaced levels 0, 1/(a-1), ..., 1 (up to float32 rounding).
let onGrid (alphabet: int) (v: float32) : bool =
    let scaled = float v * float (alphabet - 1)
    v >= 0f && v <= 1f && abs (scaled - round scaled) < 1e-4

/// True if `row` is a one-hot vector: exactly one 1 and zeros elsewhere.
let isOneHot (row: float32[]) : bool =
    row |> Array.forall (fun v -> v = 0f || v = 1f) && (row |> Array.filter ((=) 1f) |> Array.length) = 1

/// The gradient that backward() left on `t`, failing the test if there is none.
let gradient (t: torch.Tensor) : float32[] =
    match t.grad with
    | null -> failtest "backward() left no gradient on this tensor: it is not connected to the loss"
    | g -> floats g
