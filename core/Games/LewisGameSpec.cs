using CommLab.Estimators;
using CommLab.Validation;

namespace CommLab.Games;

/// <summary>Shape of the GRU Lewis game (Zhang section 4, after Havrylov and Titov 2017).</summary>
/// <param name="Features">Size of an object's input vector (|A| x |V| = 80: concatenated one-hots).</param>
/// <param name="Vocabulary">Symbols, EOS included when <paramref name="Termination"/> is Eos (paper: |A| x |V| = 80).</param>
/// <param name="MaxLength">Maximum message length L, not counting the forced EOS (paper: 1..5).</param>
/// <param name="Hidden">GRU state size of both agents (paper: 512).</param>
/// <param name="Embedding">Symbol embedding size of both agents (paper: 32).</param>
/// <param name="Estimator">How the sender's discrete symbols pass gradient (paper: straight-through Gumbel-Softmax).</param>
/// <param name="Termination">How messages end (see <see cref="MessageTermination"/>).</param>
/// <param name="MinLength">Eos termination only: steps before which the sender may not choose EOS (its
/// logit is masked). 0 (EGG's RnnSenderGS) allows the empty message; 1 forbids it; L makes every message
/// L symbols long, EOS chosen only as the forced last word.</param>
public sealed record LewisGameSpec(
    int Features,
    int Vocabulary,
    int MaxLength,
    int Hidden,
    int Embedding,
    EstimatorSpec Estimator,
    MessageTermination Termination = MessageTermination.Eos,
    int MinLength = 0) : IValidatable
{
    /// <summary>The paper's agents for |A| = 20, |V| = 4 at message length <paramref name="maxLength"/>,
    /// with STGS at temperature 1.</summary>
    public static LewisGameSpec Paper(int maxLength) =>
        new(80, 80, maxLength, 512, 32, EstimatorSpec.Stgs(1.0));

    /// <summary>Steps the receiver reads: L + 1 with a forced EOS, else L.</summary>
    public int Steps => Termination == MessageTermination.Eos ? MaxLength + 1 : MaxLength;

    /// <summary>Every impossible setting, naming the field and what is allowed.</summary>
    public IReadOnlyList<string> Problems() =>
        new ProblemList()
            .AtLeast("features", 1, Features)
            .Check(Vocabulary >= 2, $"vocabulary must be >= 2 (with EOS, symbol 0 is EOS), got {Vocabulary}")
            .AtLeast("max length L", 1, MaxLength)
            .AtLeast("hidden", 1, Hidden)
            .AtLeast("embedding", 1, Embedding)
            .Check(Enum.IsDefined(Termination), $"termination must be Eos or FixedLength, got {Termination}")
            .Check(MinLength >= 0 && MinLength <= MaxLength, $"min length must be between 0 and the max length L = {MaxLength}, got {MinLength}")
            .Check(MinLength == 0 || Termination == MessageTermination.Eos, $"min length applies to Eos termination only (FixedLength messages are always L long), got {MinLength} with {Termination}")
            .AddRange(Estimator.Problems(), "estimator: ");
}
