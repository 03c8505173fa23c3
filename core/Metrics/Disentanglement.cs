namespace CommLab.Metrics;

/// <summary>Positional and bag-of-symbols disentanglement (posdis, bosdis; Chaabouni et al. 2020,
/// "Compositionality and Generalization in Emergent Languages"). For each part of the message (a
/// position, or how often a symbol occurs) take its mutual information with every attribute of the
/// object; the part's score is the gap between its best and second-best attribute, divided by the
/// part's entropy. The metric is the mean over the parts that vary (parts with zero entropy carry no
/// information and are left out, as in EGG); 0 when none varies. 1: every varying part names exactly
/// one attribute; 0: each part is shared between attributes (or tells nothing).</summary>
public static class Disentanglement
{
    /// <summary>posdis: the parts are the message positions. Messages may differ in length: a position
    /// past a message's end reads as one more symbol, "ended" (EGG pads with EOS the same way).</summary>
    /// <param name="attributes">Each object's attribute values (all of one length, at least 1).</param>
    /// <param name="messages">Each object's message symbols (without EOS).</param>
    public static double Positional(IReadOnlyList<int[]> attributes, IReadOnlyList<int[]> messages)
    {
        Check(attributes, messages);
        const int ended = int.MinValue;
        int length = messages.Count == 0 ? 0 : messages.Max(m => m.Length);
        var parts = Enumerable.Range(0, length)
            .Select(j => messages.Select(m => j < m.Length ? m[j] : ended).ToArray());
        return MeanGap(attributes, parts);
    }

    /// <summary>bosdis: the parts are the counts of each symbol in a message, so the order of symbols
    /// does not matter. Symbols no message uses have constant count 0 and are left out.</summary>
    /// <param name="attributes">Each object's attribute values (all of one length, at least 1).</param>
    /// <param name="messages">Each object's message symbols (without EOS, which EGG's bosdis also leaves out).</param>
    public static double BagOfSymbols(IReadOnlyList<int[]> attributes, IReadOnlyList<int[]> messages)
    {
        Check(attributes, messages);
        var symbols = messages.SelectMany(m => m).Distinct().Order().ToArray();
        var parts = symbols.Select(s => messages.Select(m => m.Count(x => x == s)).ToArray());
        return MeanGap(attributes, parts);
    }

    static double MeanGap(IReadOnlyList<int[]> attributes, IEnumerable<int[]> parts)
    {
        var columns = Enumerable.Range(0, attributes[0].Length).Select(a => attributes.Select(o => o[a]).ToArray()).ToArray();
        double sum = 0;
        int varying = 0;
        foreach (var part in parts)
        {
            double h = Information.Entropy(part);
            // Below rounding: the part is constant.
            if (h < 1e-12) continue;
            var information = columns.Select(c => Information.MutualInformation(part, c)).OrderDescending().ToArray();
            double second = information.Length > 1 ? information[1] : 0;
            sum += (information[0] - second) / h;
            varying++;
        }
        return varying == 0 ? 0 : sum / varying;
    }

    static void Check(IReadOnlyList<int[]> attributes, IReadOnlyList<int[]> messages)
    {
        if (attributes.Count != messages.Count)
            throw new ArgumentException($"disentanglement needs one message per object, got {attributes.Count} objects and {messages.Count} messages");
        if (attributes.Count == 0) throw new ArgumentException("disentanglement needs at least one object");
        int width = attributes[0].Length;
        if (width < 1) throw new ArgumentException("objects need at least one attribute");
        if (attributes.Any(a => a.Length != width))
            throw new ArgumentException($"every object needs the same number of attributes ({width})");
    }
}
