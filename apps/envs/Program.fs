/// `envs`: replay scenarios in Level-Based Foraging and the Multi-Robot Warehouse, draw states, list
/// tasks (see CommLab.Dsl.EnvsCommand).
module CommLab.Envs.Program

[<EntryPoint>]
let main argv = CommLab.Dsl.EnvsCommand.run argv stdout stderr
