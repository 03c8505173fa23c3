/// Small reusable validation rules. A rule returns None when the value is fine, or a message that
/// quotes the field, the bad value and what is allowed; configs combine rules per field and fail
/// once, listing every problem, before anything trains.
module CommLab.Dsl.Validation

/// Raised by `require` with every problem found in a config.
exception ConfigError of problems: string list
    with override this.Message = "invalid configuration:\n  - " + String.concat "\n  - " this.problems

/// `field` must be at least `min`.
let atLeast (field: string) (min: int) (value: int) =
    if value < min then Some(sprintf "%s must be >= %d, got %d" field min value) else None

/// `field` must lie in [lo, hi].
let between (field: string) (lo: int) (hi: int) (value: int) =
    if value < lo || value > hi then Some(sprintf "%s must be in %d..%d, got %d" field lo hi value) else None

/// `field` must be strictly positive (and a number).
let positive (field: string) (value: float) =
    if not (value > 0.0) then Some(sprintf "%s must be > 0, got %g" field value) else None

/// `field` must be one of `allowed` (compared with `isAllowed`, listed in the message).
let oneOf (field: string) (allowed: string) (isAllowed: 'a -> bool) (value: 'a) =
    if isAllowed value then None else Some(sprintf "%s must be one of %s, got '%O'" field allowed value)

/// A cross-field rule: `message` when `violated`.
let unless (ok: bool) (message: string) = if ok then None else Some message

/// The messages of the rules that failed.
let problems (rules: string option list) = List.choose id rules

/// Raises `ConfigError` when any rule failed.
let require (rules: string option list) =
    match problems rules with
    | [] -> ()
    | ps -> raise (ConfigError ps)
