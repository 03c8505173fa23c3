/// Numbers stated in "A Combinatorial Approach to Neural Emergent Communication" (Zhang), to put
/// beside ours. Figures 2-3 are images: only what the text says about them is here.
module CommLab.Dsl.PaperNumbers.Sms

/// The gap in validation accuracy at epoch 30 between L = 2 and the best L, by min(|M|) of the data.
let gap = Map.ofList [ 2, 0.25; 3, 0.50 ]

/// What the text says about the short messages' accuracy, by min(|M|).
let shortAccuracy = Map.ofList [ 2, "L=1 about 0.35"; 3, "L=1 and L=2 about 0.35" ]
