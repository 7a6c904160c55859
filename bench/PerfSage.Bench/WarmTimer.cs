using System.Diagnostics;

namespace PerfSage.Bench;

/// <summary>Times a warm operation: warm-up first, then rounds of at least <see cref="RoundSeconds"/>,
/// reporting the median time per call over the rounds.</summary>
internal static class WarmTimer
{
    public const double RoundSeconds = 0.25;
    public const int Rounds = 9;

    private static object? s_sink;

    /// <summary>Median seconds per call of <paramref name="work"/>.</summary>
    public static double MedianSeconds(Func<object> work)
    {
        // Warm-up: JIT, tiering (TieredPGO reaches tier 1 after ~30 calls and a background delay), caches.
        var warm = Stopwatch.StartNew();
        int calls = 0;
        while (warm.Elapsed.TotalSeconds < 1.0 || calls < 50)
        {
            s_sink = work();
            calls++;
        }

        var perCall = new double[Rounds];
        for (int r = 0; r < Rounds; r++)
        {
            long iterations = 0;
            var watch = Stopwatch.StartNew();
            do
            {
                s_sink = work();
                iterations++;
            }
            while (watch.Elapsed.TotalSeconds < RoundSeconds);
            perCall[r] = watch.Elapsed.TotalSeconds / iterations;
        }
        GC.KeepAlive(s_sink);
        Array.Sort(perCall);
        return perCall[Rounds / 2];
    }
}
