using static TorchSharp.torch;

namespace CommLab.Data;

/// <summary>Draws the Image game's distractors as EGG's signal game does: for each target, distinct
/// classes other than the target's, uniformly, and one image of each, uniformly among the pool's images
/// of that class (the paper: "we randomly choose distractors from classes other than the targets'").
/// Every draw is a few tensor operations over the whole batch.</summary>
public sealed class ClassDistractors : IDisposable
{
    readonly Tensor classOf;   // [P] each image's class index among the pool's classes 0..C-1
    readonly Tensor firstRow;  // [C] the first position of each class in byClass
    readonly Tensor classSize; // [C] images of each class
    readonly Tensor byClass;   // [P] the pool's rows, grouped by class

    /// <summary>Classes present in the pool.</summary>
    public int Classes { get; }

    /// <param name="classes">Each pool image's class (any int64 ids), [P].</param>
    public ClassDistractors(Tensor classes)
    {
        using var scope = NewDisposeScope();
        var (values, inverse, counts) = classes.unique(sorted: true, return_inverse: true, return_counts: true);
        Classes = (int)values.shape[0];
        classOf = inverse!.MoveToOuterDisposeScope();
        byClass = classOf.argsort().MoveToOuterDisposeScope();
        classSize = counts!.MoveToOuterDisposeScope();
        firstRow = (counts!.cumsum(0) - counts!).MoveToOuterDisposeScope();
    }

    /// <summary>Most distractors a game can have: one per class other than the target's.</summary>
    public int MostDistractors => Classes - 1;

    /// <summary>Pool rows [B, count] of <paramref name="count"/> distractors for each target row in
    /// <paramref name="targets"/> [B]: distinct classes, none the target's.</summary>
    public Tensor Draw(Tensor targets, int count, Generator? generator)
    {
        if (count < 1 || count > MostDistractors)
            throw new ArgumentException($"distractors per game must be in 1..{MostDistractors} (the pool's classes but the target's), got {count}");
        using var scope = NewDisposeScope();
        var own = classOf.index_select(0, targets).unsqueeze(1);
        // Random keys with the target's class below every other: the top keys are distinct classes
        // drawn uniformly without replacement.
        var keys = rand(new[] { targets.shape[0], (long)Classes }, generator: generator, device: targets.device)
            .scatter_(1, own, full(own.shape, -1.0f, device: targets.device));
        var chosen = keys.topk(count, dim: 1).indexes;
        var size = classSize.index_select(0, chosen.flatten()).reshape(chosen.shape);
        var pick = (rand(chosen.shape, generator: generator, device: targets.device) * size).floor().to(ScalarType.Int64).minimum(size - 1);
        var position = firstRow.index_select(0, chosen.flatten()).reshape(chosen.shape) + pick;
        return byClass.index_select(0, position.flatten()).reshape(chosen.shape).MoveToOuterDisposeScope();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        classOf.Dispose();
        firstRow.Dispose();
        classSize.Dispose();
        byClass.Dispose();
    }
}
