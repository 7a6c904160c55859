using System.Globalization;
using PerfSage.Dataset.Spaces;

namespace PerfSage.Dataset.Tests;

/// <summary>Reads a sample's knob values back as numbers.</summary>
internal static class KnobReader
{
    public static int Int(this SpaceSample s, string knob) => int.Parse(s.Knobs[knob], CultureInfo.InvariantCulture);

    public static int[] Ints(this SpaceSample s, string knob) =>
        [.. s.Knobs[knob].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))];

    public static (int, int) Pair(this SpaceSample s, string knob)
    {
        string[] p = s.Knobs[knob].Split('x');
        return (int.Parse(p[0], CultureInfo.InvariantCulture), int.Parse(p[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Output size of a SAME-padded window: ⌈n / stride⌉.</summary>
    public static int Same(int n, int stride) => (n + stride - 1) / stride;
}
