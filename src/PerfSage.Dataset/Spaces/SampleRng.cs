namespace PerfSage.Dataset.Spaces;

/// <summary>
/// The random draws of search-space samplers, on the project's one <see cref="SplitMix64"/> generator, so
/// sample <c>i</c> of a space is the same on every machine, runtime and version. <see cref="For"/> derives one
/// independent stream per (space, seed, index, attempt) with hashes only, so samples can be drawn in any order
/// and in parallel. Not thread-safe; not for cryptography.
/// </summary>
public sealed class SampleRng
{
    private const ulong Gamma = SplitMix64.Gamma;

    private SplitMix64 _generator;

    /// <summary>A generator whose first output is SplitMix64's first output for <paramref name="state"/>.</summary>
    public SampleRng(ulong state)
    {
        _generator = new SplitMix64(state);
    }

    /// <summary>The stream of sample <paramref name="index"/> of space <paramref name="space"/> under
    /// <paramref name="seed"/>; <paramref name="attempt"/> numbers the redraws of one sample (when a draw
    /// breaks the space's memory budget).</summary>
    public static SampleRng For(string space, ulong seed, long index, int attempt = 0)
    {
        ArgumentNullException.ThrowIfNull(space);
        ulong s = HashName(space);
        s = Mix(s ^ Mix(seed + Gamma));
        s = Mix(s ^ Mix(unchecked((ulong)index + 2 * Gamma)));
        s = Mix(s ^ Mix(unchecked((ulong)attempt + 3 * Gamma)));
        return new SampleRng(s);
    }

    /// <summary>64-bit FNV-1a over the UTF-16 code units of <paramref name="name"/> (<see cref="Hashing.Fnv1a64"/>).</summary>
    public static ulong HashName(string name) => Hashing.Fnv1a64(name);

    /// <summary>SplitMix64's output finaliser (<see cref="SplitMix64.Mix"/>).</summary>
    public static ulong Mix(ulong z) => SplitMix64.Mix(z);

    /// <summary>The next 64 random bits.</summary>
    public ulong NextUInt64() => _generator.Next();

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxInclusive"/>]
    /// (multiply-shift reduction; the bias is below 2^-32 for the small ranges used here).</summary>
    public int Next(int minInclusive, int maxInclusive)
    {
        if (maxInclusive < minInclusive)
        {
            throw new ArgumentOutOfRangeException(nameof(maxInclusive), maxInclusive, $"must be at least {minInclusive}");
        }
        ulong range = (ulong)((long)maxInclusive - minInclusive + 1);
        ulong r = (ulong)(((UInt128)NextUInt64() * range) >> 64);
        return (int)((long)minInclusive + (long)r);
    }

    /// <summary>A multiple of <paramref name="step"/> in [<paramref name="min"/>, <paramref name="max"/>]
    /// (both multiples of the step), uniform.</summary>
    public int NextMultiple(int min, int max, int step) => min + step * Next(0, (max - min) / step);

    /// <summary>A multiple of <paramref name="step"/> in [<paramref name="min"/>, <paramref name="max"/>] drawn with
    /// probability proportional to 1/value: log-uniform on the grid, so each doubling of the value is about as
    /// likely and small networks are as common as big ones. Uses only IEEE-exact arithmetic (no Math.Pow or
    /// Math.Log, whose last bit may differ between platforms), so the draw is the same everywhere.</summary>
    public int NextLogMultiple(int min, int max, int step)
    {
        if (min <= 0 || step <= 0 || max < min || (max - min) % step != 0)
        {
            throw new ArgumentException($"log-uniform grid {min}..{max} step {step} is not valid");
        }
        double total = 0;
        for (int v = min; v <= max; v += step)
        {
            total += 1.0 / v;
        }
        double u = NextDouble() * total;
        for (int v = min; v <= max; v += step)
        {
            u -= 1.0 / v;
            if (u < 0)
            {
                return v;
            }
        }
        return max;
    }

    /// <summary>True with probability <paramref name="p"/>.</summary>
    public bool Chance(double p) => NextDouble() < p;

    /// <summary>One of <paramref name="items"/>, uniformly.</summary>
    public T Pick<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        return items[Next(0, items.Count - 1)];
    }

    /// <summary>One of <paramref name="items"/> with probability proportional to <paramref name="weights"/>.</summary>
    public T Pick<T>(IReadOnlyList<T> items, IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(weights);
        if (items.Count != weights.Count || items.Count == 0)
        {
            throw new ArgumentException($"{items.Count} items and {weights.Count} weights", nameof(weights));
        }
        double total = 0;
        foreach (double w in weights)
        {
            total += w;
        }
        double u = NextDouble() * total;
        for (int i = 0; i < items.Count; i++)
        {
            u -= weights[i];
            if (u < 0)
            {
                return items[i];
            }
        }
        return items[^1];
    }
}
