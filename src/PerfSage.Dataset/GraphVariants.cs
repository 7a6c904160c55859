namespace PerfSage.Dataset;

/// <summary>
/// Graph variants: one measured architecture built as more than one graph (NAS-Bench-201: converter-folded, eager,
/// pruned), because a table does not say which graph its device ran. An import that builds variants writes one model per
/// architecture, batch and variant, all with the same labels: model id <c>&lt;measurement id&gt;-&lt;variant&gt;</c>, knob
/// <see cref="Knob"/> = the variant, and <c>dataset.json</c>'s <c>graph_variants</c> lists them. The measurement id
/// (<see cref="MeasurementId"/>) joins a measurement's graphs again; the commands that fit heads pick one variant per target
/// from the training labels (PerfSage.Model's <c>GraphChooser</c>), the others use <see cref="DefaultOf"/>.
/// </summary>
public static class GraphVariants
{
    /// <summary>The knob that names a model's variant.</summary>
    public const string Knob = "graph";

    /// <summary>The id of variant <paramref name="variant"/> of measurement <paramref name="measurementId"/> (the measurement id
    /// itself when <paramref name="variant"/> is null: a build of one graph per architecture).</summary>
    public static string ModelId(string measurementId, string? variant) =>
        variant is null ? measurementId : measurementId + "-" + variant;

    /// <summary>The measurement a model of variant <paramref name="variant"/> belongs to: its id less the variant suffix.</summary>
    public static string MeasurementId(string modelId, string? variant)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        string suffix = "-" + variant;
        return variant is not null && modelId.EndsWith(suffix, StringComparison.Ordinal) && modelId.Length > suffix.Length
            ? modelId[..^suffix.Length]
            : modelId;
    }

    /// <summary>The variant that commands which do not choose (full training, held-out evaluation) use: <c>eager</c> where
    /// the folder has it (what the published NAS-Bench-201 tables ran), else the first listed.</summary>
    public static string DefaultOf(IReadOnlyList<string> variants)
    {
        ArgumentNullException.ThrowIfNull(variants);
        if (variants.Count == 0)
        {
            throw new ArgumentException("no variants", nameof(variants));
        }
        return variants.Contains("eager", StringComparer.Ordinal) ? "eager" : variants[0];
    }
}
