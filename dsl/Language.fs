/// The language a finished run's agents speak: the measures of its evaluation messages
/// (`CommLab.Metrics.LanguageAnalysis`), and the file of its games (`InteractionFile`).
module CommLab.Dsl.Language

open System.IO
open CommLab.Metrics

/// What a run's messages look like over its evaluation games (the Object game's test targets, the
/// Lewis game's validation games).
type Measures =
    { /// Topographic similarity: Spearman correlation of the targets' Hamming distances (over
      /// attributes) and their messages' distances (the game's: edit distance in the Lewis game,
      /// Hamming in the Object game; Euclidean for CN's continuous messages).
      TopSim: float
      /// Entropy of the whole messages in bits; None for continuous messages.
      Entropy: float option
      /// Positional disentanglement (Chaabouni et al. 2020); None for continuous messages.
      PosDis: float option
      /// Bag-of-symbols disentanglement; None for continuous messages.
      BosDis: float option }

/// The measures of a set of games: Hamming distances between the targets' attributes, and
/// `messageDistance` between their messages (for symbols; continuous messages are always compared by
/// Euclidean distance).
let measure (messageDistance: Distance) (games: Interactions) : Measures =
    let m = games.Measures(Distance.Hamming, (if games.Kind = MessageKind.Symbols then System.Nullable messageDistance else System.Nullable()))
    { TopSim = m.TopographicSimilarity
      Entropy = Option.ofNullable m.Entropy
      PosDis = Option.ofNullable m.PositionalDisentanglement
      BosDis = Option.ofNullable m.BagOfSymbolsDisentanglement }

/// Where a run folder keeps its games.
let interactionsPath (runFolder: string) = Path.Combine(runFolder, InteractionFile.FileName)

/// Measures a finished run's games (`measure`) and, when the sweep asked for it (`--interactions on`),
/// saves them in the run's folder.
let record (context: RunContext) (messageDistance: Distance) (games: Interactions) : Measures =
    if context.SaveInteractions then InteractionFile.Write(interactionsPath context.Folder, games)
    measure messageDistance games

/// A measure of an optional `Measures` for a table or a CSV row: NaN when the run has none (stored
/// before language measures existed) or the measure does not apply (posdis of continuous messages).
let valueOf (pick: Measures -> float option) (m: Measures option) =
    m |> Option.bind pick |> Option.defaultValue nan
