/// A communication channel as the paper describes it (Section 2.1, Appendix A.4).
module CommLab.Dsl.Channel

open CommLab.Channels

/// Communication mode: continuous, Gumbel-Softmax or quantized.
type Mode =
    | CN
    | GS
    | QT

/// Instant sends one word; Recurrent a GRU-spoken sequence of words.
type Architecture =
    | Instant
    | Recurrent

/// When a QT channel quantizes.
type Quantize =
    | TrainAndInference
    | InferenceOnly

/// Range of the min-max normalization of CN and QT words.
type Normalization =
    /// Each word alone (default): a message never depends on its batch-mates.
    | PerWord
    /// The whole batch of words, as the authors' example code does.
    | Batch

/// A channel. Instant channels ignore Hidden and Embedding (their size is the word length).
type Channel =
    { /// CN, GS or QT.
      Mode: Mode
      /// Instant (one word) or Recurrent (MessageLength words).
      Architecture: Architecture
      /// QT: quantization levels per word element; GS: categories. Ignored by CN.
      Alphabet: int
      /// Elements per word; GS words are one-hot, so GS needs WordLength = Alphabet.
      WordLength: int
      /// Words per message; 1 for Instant.
      MessageLength: int
      /// QT only: quantize in training and inference, or in inference only (paper's main setting).
      Quantize: Quantize
      /// GS only: how words are sampled and differentiated (paper: relaxed Gumbel-Softmax at
      /// temperature 1.0; straight-through degraded its results).
      Estimator: Estimator.Estimator
      /// Recurrent only: GRU hidden size, also the agents' encoding size (paper: 1024).
      Hidden: int
      /// Recurrent only: word embedding size (paper: 1024).
      Embedding: int
      /// CN and QT: normalize each word alone (default) or the batch (authors' code).
      Normalization: Normalization }

/// QT-Instant with alphabet 10 and word length 100: the paper's best quantized Instant channel.
let defaults =
    { Mode = QT
      Architecture = Instant
      Alphabet = 10
      WordLength = 100
      MessageLength = 1
      Quantize = InferenceOnly
      Estimator = Estimator.relaxed 1.0
      Hidden = 1024
      Embedding = 1024
      Normalization = PerWord }

/// Short name used in tables and plots, e.g. "QT-Inst" or "GS-RNN".
let name (c: Channel) =
    sprintf "%A-%s" c.Mode (match c.Architecture with Instant -> "Inst" | Recurrent -> "RNN")

/// The short name with the estimator of a GS channel, e.g. "GS-Inst STGS-1" or "QT-RNN".
let describe (c: Channel) =
    match c.Mode with
    | GS -> sprintf "%s %s" (name c) (Estimator.name c.Estimator)
    | _ -> name c

/// The core's channel spec.
let toSpec (c: Channel) =
    ChannelSpec(
        (match c.Mode with CN -> ChannelMode.Continuous | GS -> ChannelMode.Gumbel | QT -> ChannelMode.Quantized),
        (match c.Architecture with Instant -> ChannelArchitecture.Instant | Recurrent -> ChannelArchitecture.Recurrent),
        c.Alphabet, c.WordLength, c.MessageLength,
        (match c.Quantize with TrainAndInference -> QuantizePhase.TrainAndInference | InferenceOnly -> QuantizePhase.InferenceOnly),
        Estimator.toSpec c.Estimator, c.Hidden, c.Embedding,
        (match c.Normalization with PerWord -> CommLab.Channels.Normalization.PerWord | Batch -> CommLab.Channels.Normalization.Batch))

/// Every problem with the channel, as messages naming the field, the bad value and what is allowed
/// (the core's checks, so C# and F# callers read the same words).
let validate (c: Channel) : string list = List.ofSeq ((toSpec c).Problems())
