/// `sms`: SolveMinSym and min(|M|)-controlled sampling from the command line (see CommLab.Dsl.SmsCommand).
module CommLab.Sms.Program

[<EntryPoint>]
let main argv = CommLab.Dsl.SmsCommand.run argv stdout stderr
