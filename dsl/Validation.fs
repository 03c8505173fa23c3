/// Small reusable rules for command-line options. A rule returns None when the value is fine, or a
/// message that quotes the option, the bad value and what is allowed; callers combine rules and fail
/// once, listing every problem. Configs do not use these: their checks are the core's problem lists
/// (`ProblemList`), which the DSL wraps.
module CommLab.Dsl.Validation

/// `field` must be at least `min`.
let atLeast (field: string) (min: int) (value: int) =
    if value < min then Some(sprintf "%s must be >= %d, got %d" field min value) else None

/// `field` must be one of `allowed` (compared with `isAllowed`, listed in the message).
let oneOf (field: string) (allowed: string) (isAllowed: 'a -> bool) (value: 'a) =
    if isAllowed value then None else Some(sprintf "%s must be one of %s, got '%O'" field allowed value)

/// The messages of the rules that failed.
let problems (rules: string option list) = List.choose id rules
