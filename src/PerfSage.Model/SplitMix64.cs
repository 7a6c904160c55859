namespace PerfSage.Model;

/// <summary>
/// Steele, Lea and Flood's SplitMix64 generator (OOPSLA 2014): a 64-bit state advanced by a fixed odd
/// constant and a bijective mixer. Used for shuffling so that the order of every epoch follows from the
/// seed and the epoch number alone, which makes a resumed run see the same batches as an uninterrupted one.
/// </summary>
internal struct SplitMix64
{
    private ulong _state;

    public SplitMix64(ulong seed) => _state = seed;

    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>A value in [0, <paramref name="bound"/>) (Lemire's multiply-shift; the tiny bias is irrelevant here).</summary>
    public int NextInt(int bound) => (int)(((UInt128)Next() * (ulong)bound) >> 64);

    /// <summary>The SplitMix64 finaliser (a bijection of 64-bit values).</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Fisher–Yates shuffle of <paramref name="items"/> in place.</summary>
    public void Shuffle<T>(T[] items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
