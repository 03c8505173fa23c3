/// A sweep is data: the Cartesian product of named axes applied to a base config. Each axis value is
/// the update it makes to the config; runs are named by their config's hash (RunStore) and described
/// in logs by their experiment kind's label, so axis values need no labels of their own.
module CommLab.Dsl.Sweep

/// One named dimension of a sweep: the config updates it stands for.
type Axis<'cfg> =
    { Name: string
      Values: ('cfg -> 'cfg) list }

/// An axis over typed values, e.g. `axis "lr" [ 0.1; 0.01 ] (fun v c -> { c with Lr = v })`.
let axis (name: string) (values: 'v list) (set: 'v -> 'cfg -> 'cfg) : Axis<'cfg> =
    { Name = name
      Values = values |> List.map set }

// Fails before anything runs: an empty axis would silently make the whole sweep empty.
let private check (axes: Axis<'cfg> list) =
    for a in axes do
        if List.isEmpty a.Values then
            invalidArg "axes" (sprintf "sweep axis '%s' has no values; give it at least one" a.Name)
    match axes |> List.countBy (fun a -> a.Name) |> List.tryFind (fun (_, n) -> n > 1) with
    | Some (name, n) -> invalidArg "axes" (sprintf "sweep axis '%s' appears %d times; axis names must be unique" name n)
    | None -> ()

/// Number of points in the sweep: the product of the axis lengths (1 for no axes).
let size (axes: Axis<'cfg> list) : int =
    check axes
    axes |> List.fold (fun n a -> n * a.Values.Length) 1

/// The configs of the sweep, the first axis varying slowest; no axes gives `[ baseCfg ]`.
let grid (baseCfg: 'cfg) (axes: Axis<'cfg> list) : 'cfg list =
    check axes
    let rec expand cfg axes =
        match axes with
        | [] -> [ cfg ]
        | a :: rest -> a.Values |> List.collect (fun set -> expand (set cfg) rest)
    expand baseCfg axes
