module CommLab.Dsl.Validation
let placeholder = 0
