/// A sweep is data: the Cartesian product of named axes applied to a base config. Each axis value
/// is a label (for run names and tables) and the update it makes to the config.
module CommLab.Dsl.Sweep

/// One named dimension of a sweep; each value is a label and the config update it stands for.
type Axis<'cfg> =
    { Name: string
      Values: (string * ('cfg -> 'cfg)) list }

/// One point of a sweep: the (axis name, value label) pairs in axis order and the resulting config.
type Point<'cfg> =
    { Labels: (string * string) list
      Config: 'cfg }

/// An axis over typed values, e.g. `axis "lr" [ 0.1; 0.01 ] string (fun v c -> { c with Lr = v })`.
let axis (name: string) (values: 'v list) (label: 'v -> string) (set: 'v -> 'cfg -> 'cfg) : Axis<'cfg> =
    { Name = name
      Values = values |> List.map (fun v -> label v, set v) }

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

/// Every point of the sweep with its labels, in axis order: the first axis varies slowest.
let points (baseCfg: 'cfg) (axes: Axis<'cfg> list) : Point<'cfg> list =
    check axes
    let rec expand labels cfg axes =
        match axes with
        | [] -> [ { Labels = List.rev labels; Config = cfg } ]
        | a :: rest -> a.Values |> List.collect (fun (label, set) -> expand ((a.Name, label) :: labels) (set cfg) rest)
    expand [] baseCfg axes

/// The configs of the sweep, in the order of `points`; no axes gives `[ baseCfg ]`.
let grid (baseCfg: 'cfg) (axes: Axis<'cfg> list) : 'cfg list =
    points baseCfg axes |> List.map (fun p -> p.Config)
