/// Small reusable validation rules. A rule returns None when the value is fine, or a message that
/// quotes the field, the bad value and what is allowed; callers combine rules and fail once, listing
/// every problem, before anything runs. Run configs take their checks from the core (its `Problems`).
module CommLab.Dsl.Validation

/// Raised by `require` with every problem found in a config.
exception ConfigError of problems: string list
    with override this.Message = "invalid configuration:\n  - " + String.concat "\n  - " this.problems

/// `field` must be at least `min`.
let atLeast (field: string) (min: int) (value: int) =
    if value < min then Some(sprintf "%s must be >= %d, got %d" field min value) else None

/// `field` must be one of `allowed` (compared with `isAllowed`, listed in the message).
let oneOf (field: string) (allowed: string) (isAllowed: 'a -> bool) (value: 'a) =
    if isAllowed value then None else Some(sprintf "%s must be one of %s, got '%O'" field allowed value)

/// The messages of the rules that failed.
let problems (rules: string option list) = List.choose id rules

/// Raises `ConfigError` when any rule failed.
let require (rules: string option list) =
    match problems rules with
    | [] -> ()
    | ps -> raise (ConfigError ps)
