using System.Globalization;

namespace PerfSage.Targets;

/// <summary>
/// One target of the catalog, read from <c>data/targets/&lt;id&gt;.json</c>. Immutable and safe to share.
/// The family-specific numbers live on <see cref="CortexMSpec"/>, <see cref="EthosUSpec"/> and
/// <see cref="MobileGpuSpec"/>; <see cref="Numbers"/> lists every number of the file with its provenance.
/// </summary>
public abstract class TargetSpec
{
    private protected TargetSpec(SpecReader root, TargetFamily family)
    {
        Id = root.String("id");
        Name = root.String("name");
        Description = root.OptionalString("description") ?? "";
        Family = family;
        ClockMhz = root.Number("clock_mhz", min: 1e-3);
        FilePath = root.File;
        Numbers = root.Numbers;
    }

    /// <summary>The id used on the command line (<c>ethos-u55-128</c>).</summary>
    public string Id { get; }

    /// <summary>A human name (<c>Arm Ethos-U55, 128 MACs/cycle</c>).</summary>
    public string Name { get; }

    public string Description { get; }

    public TargetFamily Family { get; }

    /// <summary>The default clock; <see cref="EstimateOptions.ClockMhz"/> overrides it.</summary>
    public SourcedValue ClockMhz { get; }

    /// <summary>The file the spec was read from.</summary>
    public string FilePath { get; }

    /// <summary>Every number of the file by JSON path (<c>$.clock_mhz</c>), each with its source or
    /// assumption. Filled while the file is read, complete once the spec is constructed.</summary>
    public IReadOnlyDictionary<string, SourcedValue> Numbers { get; }

    /// <summary>The key numbers of the target as (key, value) lines, for <c>perfsage targets</c>.</summary>
    public abstract IReadOnlyList<(string Key, string Value)> Summary { get; }

    /// <summary>The JSON name of a family (<c>cortex-m</c>, <c>ethos-u</c>, <c>mobile-gpu</c>).</summary>
    public static string FamilyName(TargetFamily family) => family switch
    {
        TargetFamily.CortexM => "cortex-m",
        TargetFamily.EthosU => "ethos-u",
        TargetFamily.MobileGpu => "mobile-gpu",
        _ => throw new ArgumentOutOfRangeException(nameof(family), family, null),
    };

    public override string ToString() => $"{Id} ({Name})";

    private protected static string Format(double value, string unit) =>
        string.Create(CultureInfo.InvariantCulture, $"{value:0.###} {unit}");

    private protected static string Format(double value) =>
        value.ToString("0.###", CultureInfo.InvariantCulture);

    private protected static string Format(SourcedValue value) => value.IsAssumption
        ? value.Display + " (assumed)"
        : value.Display;
}
