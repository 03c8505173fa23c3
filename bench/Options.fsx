// The options of a bench script: `--name value` pairs after the script's name (no Argu: a bench has
// two or three numeric options and prints what it measured whatever else is passed).
module BenchOptions

let private argv = fsi.CommandLineArgs |> Array.skip 1

/// The value after `name`, or `fallback` when it is not given.
let option (name: string) (fallback: string) =
    match Array.tryFindIndex ((=) name) argv with
    | Some i when i + 1 < argv.Length -> argv[i + 1]
    | _ -> fallback

/// The positive number after `name`, or `fallback`; anything else ends the script with the option,
/// the value and what is allowed, exit code 2.
let number (name: string) (fallback: float) =
    let text = option name (string fallback)
    match System.Double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture) with
    | true, value when value > 0.0 && System.Double.IsFinite value -> value
    | _ ->
        eprintfn "%s must be a number > 0, got '%s'" name text
        exit 2

/// The comma-separated names after `name`, each one of `allowed`, or all of `allowed` when it is not
/// given; an unknown name ends the script naming it and what is allowed, exit code 2.
let choices (name: string) (allowed: string list) =
    match option name "" with
    | "" -> allowed
    | text ->
        let picked = text.Split(',') |> Array.map (fun s -> s.Trim()) |> Array.toList
        match picked |> List.filter (fun p -> not (List.contains p allowed)) with
        | [] -> picked
        | unknown ->
            eprintfn "%s must be a comma-separated list of %s, got '%s'" name (String.concat ", " allowed) (String.concat "," unknown)
            exit 2
