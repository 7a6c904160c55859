namespace PerfSage;

/// <summary>
/// SplitMix64 (Steele, Lea and Flood, "Fast splittable pseudorandom number generators", OOPSLA 2014; the
/// finaliser is Stafford's "Mix13", as in Vigna's reference <c>splitmix64.c</c>): a 64-bit state advanced by the
/// golden gamma and passed through a bijective mixer. The one small generator of the project: its sequence is
/// fixed by this code alone (unlike <see cref="System.Random"/>), so sampled networks, generated weights and
/// training orders are the same on every machine and runtime. A mutable struct: pass it by reference.
/// Not thread-safe; not for cryptography.
/// </summary>
public struct SplitMix64
{
    /// <summary>The state increment: 2^64 / φ, rounded to odd.</summary>
    public const ulong Gamma = 0x9E3779B97F4A7C15UL;

    private ulong _state;

    /// <summary>A generator whose first output is <c>Mix(seed + Gamma)</c>.</summary>
    public SplitMix64(ulong seed) => _state = seed;

    /// <summary>The next 64 random bits.</summary>
    public ulong Next()
    {
        _state += Gamma;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, 1): the top 53 bits of <see cref="Next"/> scaled by 2^-53.</summary>
    public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A value in [0, <paramref name="bound"/>) by Lemire's multiply-shift (bias below bound/2^64).</summary>
    public int NextInt(int bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        return (int)(((UInt128)Next() * (ulong)bound) >> 64);
    }

    /// <summary>A value in [<paramref name="min"/>, <paramref name="max"/>] (both inclusive) by
    /// <c>Next() mod span</c> (bias below span/2^64).</summary>
    public long NextInRange(long min, long max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        ulong span = unchecked((ulong)(max - min) + 1);
        return span == 0 ? unchecked((long)Next()) : min + (long)(Next() % span);
    }

    /// <summary>Fisher–Yates shuffle of <paramref name="items"/> in place, last position first.</summary>
    public void Shuffle<T>(T[] items)
    {
        ArgumentNullException.ThrowIfNull(items);
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>The SplitMix64 finaliser (a bijection of 64-bit values).</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
