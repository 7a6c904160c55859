namespace PerfSage.Graph.Export;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; the
/// constants are Stafford's "Mix13" finaliser). Small, fast, and fixed here, so generated weights are a pure
/// function of (graph, seed) on every runtime, unlike <see cref="System.Random"/> whose algorithm may change.
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>A stream for one purpose: the seed, a stream id (e.g. a tensor id) and a salt are mixed so
    /// that neighbouring ids give unrelated streams.</summary>
    public static SplitMix64 ForStream(int seed, int id, ulong salt)
    {
        ulong s = Mix((ulong)(uint)seed ^ (salt * 0xD6E8FEB86659FD93UL));
        s = Mix(s ^ ((ulong)(uint)id * 0x9E3779B97F4A7C15UL));
        return new SplitMix64(s);
    }

    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1), 53 random bits.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [<paramref name="min"/>, <paramref name="max"/>] (both inclusive).</summary>
    public long NextInRange(long min, long max)
    {
        ulong span = (ulong)(max - min) + 1;
        // The modulo bias is below 2^-40 for the spans used here (at most 2^16).
        return min + (long)(Next() % span);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
