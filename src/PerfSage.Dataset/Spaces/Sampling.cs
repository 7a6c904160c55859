using System.Globalization;
using PerfSage.Graph;

namespace PerfSage.Dataset.Spaces;

/// <summary>What one draw of a space produced, before the budget check.</summary>
internal readonly record struct Draft(OpGraph Graph, KnobValues Knobs, string Family, string Variant);

/// <summary>The draw-check-redraw loop all spaces share.</summary>
internal static class Sampling
{
    /// <summary>Draws per sample before giving up; the spaces' knob ranges keep rejections rare (the tests
    /// print the rates), so reaching this means a bug.</summary>
    public const int MaxAttempts = 64;

    /// <summary><c>kws-s42-000123</c>.</summary>
    public static string ModelId(string space, ulong seed, long index) =>
        string.Create(CultureInfo.InvariantCulture, $"{space}-s{seed}-{index:D6}");

    /// <summary>Draws sample <paramref name="index"/>: attempt 0, 1, … each with its own stream, until a draw
    /// fits <see cref="ISearchSpace.Budget"/>.</summary>
    public static SpaceSample Run(ISearchSpace space, ulong seed, long index, Func<SampleRng, string, Draft> draw)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        string id = ModelId(space.Name, seed, index);
        for (int attempt = 0; attempt < MaxAttempts; attempt++)
        {
            Draft d = draw(SampleRng.For(space.Name, seed, index, attempt), id);
            long arena = ArenaPlanner.Plan(d.Graph).PeakBytes;
            if (space.Budget.Admits(arena, d.Graph.ConstantBytes))
            {
                return new SpaceSample(id, space.Name, seed, index, d.Graph, d.Knobs.ToReadOnly(), d.Family, d.Variant,
                    arena, attempt);
            }
        }
        throw new SearchSpaceException(
            $"{id}: no draw in {MaxAttempts} attempts fits the {space.Budget.Name} budget ({space.Budget.Source})");
    }
}
