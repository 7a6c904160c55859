using System.Globalization;
using System.Text;

namespace PerfSage.Dataset.Spaces;

/// <summary>The operations on a NAS-Bench-201 cell edge, in NAS-Bench-201's own order.</summary>
public enum Nb201Op : byte
{
    /// <summary><c>none</c>: no edge (a zero).</summary>
    None = 0,

    /// <summary><c>skip_connect</c>: identity.</summary>
    SkipConnect = 1,

    /// <summary><c>nor_conv_1x1</c>: ReLU → 1×1 conv → BN.</summary>
    Conv1x1 = 2,

    /// <summary><c>nor_conv_3x3</c>: ReLU → 3×3 conv → BN.</summary>
    Conv3x3 = 3,

    /// <summary><c>avg_pool_3x3</c>: 3×3 average pool, stride 1, padding excluded from the count.</summary>
    AvgPool3x3 = 4,
}

/// <summary>
/// A NAS-Bench-201 cell genotype: one <see cref="Nb201Op"/> on each of the six edges j → i (0 ≤ j &lt; i ≤ 3)
/// of the 4-node cell DAG. All 5^6 = 15,625 genotypes are numbered by <see cref="Index"/>: the edge ops read
/// as base-5 digits in the order (1←0), (2←0), (2←1), (3←0), (3←1), (3←2), most significant first, so index 0
/// is all <c>none</c> and 15,624 all <c>avg_pool_3x3</c>. This is PerfSage's order, not NAS-Bench-201's
/// (which follows its training runs and is only available from its data files).
/// </summary>
public readonly record struct Nb201Arch
{
    /// <summary>Number of genotypes: 5 ops on 6 edges.</summary>
    public const int Count = 15_625;

    /// <summary>The edges (to, from) in digit order.</summary>
    public static IReadOnlyList<(int To, int From)> Edges { get; } = [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2)];

    /// <summary>The op names as arch strings spell them, by <see cref="Nb201Op"/> value.</summary>
    public static IReadOnlyList<string> OpNames { get; } =
        ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"];

    private const string Format = "|op~0|+|op~0|op~1|+|op~0|op~1|op~2|";

    public Nb201Arch(int index)
    {
        if ((uint)index >= Count)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"a NAS-Bench-201 index is 0..{Count - 1}");
        }
        Index = index;
    }

    /// <summary>PerfSage's number for this genotype, 0..15,624.</summary>
    public int Index { get; }

    /// <summary>The op on edge <paramref name="from"/> → <paramref name="to"/>.</summary>
    public Nb201Op Op(int to, int from)
    {
        if (to is < 1 or > 3 || from < 0 || from >= to)
        {
            throw new ArgumentOutOfRangeException(nameof(from), $"no edge {from} -> {to} in a NAS-Bench-201 cell");
        }
        int edge = to * (to - 1) / 2 + from; // (1,0)=0, (2,0)=1, (2,1)=2, (3,0)=3, (3,1)=4, (3,2)=5
        int digit = Index;
        for (int k = 5; k > edge; k--)
        {
            digit /= 5;
        }
        return (Nb201Op)(digit % 5);
    }

    /// <summary>The genotype with <paramref name="ops"/> on the six edges in <see cref="Edges"/> order.</summary>
    public static Nb201Arch FromOps(ReadOnlySpan<Nb201Op> ops)
    {
        if (ops.Length != 6)
        {
            throw new ArgumentException($"a NAS-Bench-201 cell has 6 edges, got {ops.Length}", nameof(ops));
        }
        int index = 0;
        foreach (Nb201Op op in ops)
        {
            if ((byte)op > 4)
            {
                throw new ArgumentOutOfRangeException(nameof(ops), op, "not a NAS-Bench-201 op");
            }
            index = index * 5 + (int)op;
        }
        return new Nb201Arch(index);
    }

    /// <summary>
    /// Parses an architecture string such as
    /// <c>|nor_conv_3x3~0|+|nor_conv_3x3~0|avg_pool_3x3~1|+|skip_connect~0|nor_conv_3x3~1|skip_connect~2|</c>:
    /// for nodes 1, 2, 3 (separated by <c>+</c>) the op on each incoming edge as <c>op~j</c>, j = 0.. in order.
    /// Throws <see cref="SearchSpaceException"/> naming what is wrong.
    /// </summary>
    public static Nb201Arch Parse(string arch)
    {
        ArgumentNullException.ThrowIfNull(arch);
        string[] nodes = arch.Split('+');
        if (nodes.Length != 3)
        {
            throw Invalid(arch, $"{nodes.Length} node groups separated by '+', expected 3");
        }
        Span<Nb201Op> ops = stackalloc Nb201Op[6];
        int k = 0;
        for (int i = 1; i <= 3; i++)
        {
            string group = nodes[i - 1];
            if (group.Length < 2 || group[0] != '|' || group[^1] != '|')
            {
                throw Invalid(arch, $"node {i} group '{Limits.Echo(group)}' must start and end with '|'");
            }
            string[] entries = group[1..^1].Split('|');
            if (entries.Length != i)
            {
                throw Invalid(arch, $"node {i} has {entries.Length} incoming edges, expected {i}");
            }
            for (int j = 0; j < i; j++)
            {
                string entry = entries[j];
                int tilde = entry.IndexOf('~', StringComparison.Ordinal);
                if (tilde < 0)
                {
                    throw Invalid(arch, $"node {i} edge '{Limits.Echo(entry)}' is not op~{j}");
                }
                string name = entry[..tilde];
                string source = entry[(tilde + 1)..];
                if (!string.Equals(source, j.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal))
                {
                    throw Invalid(arch, $"node {i} edge {j} reads from '{Limits.Echo(source)}', expected {j}");
                }
                int op = -1;
                for (int o = 0; o < OpNames.Count; o++)
                {
                    if (string.Equals(OpNames[o], name, StringComparison.Ordinal))
                    {
                        op = o;
                    }
                }
                if (op < 0)
                {
                    throw Invalid(arch, $"node {i} edge {j} has unknown op '{Limits.Echo(name)}' (ops: {string.Join(", ", OpNames)})");
                }
                ops[k++] = (Nb201Op)op;
            }
        }
        return FromOps(ops);
    }

    /// <summary>True when some path of non-<c>none</c> edges leads from the cell input (node 0) to its output
    /// (node 3). When there is none, the cell output does not depend on the input and the converted network
    /// folds to a constant.</summary>
    public bool IsConnected
    {
        get
        {
            Span<bool> reached = [true, false, false, false];
            for (int i = 1; i <= 3; i++)
            {
                for (int j = 0; j < i; j++)
                {
                    reached[i] |= reached[j] && Op(i, j) != Nb201Op.None;
                }
            }
            return reached[3];
        }
    }

    /// <summary>The architecture string (<see cref="Parse"/>'s format).</summary>
    public override string ToString()
    {
        var sb = new StringBuilder(96);
        for (int i = 1; i <= 3; i++)
        {
            if (i > 1)
            {
                sb.Append('+');
            }
            sb.Append('|');
            for (int j = 0; j < i; j++)
            {
                sb.Append(OpNames[(int)Op(i, j)]).Append('~').Append((char)('0' + j)).Append('|');
            }
        }
        return sb.ToString();
    }

    private static SearchSpaceException Invalid(string arch, string why) =>
        new($"NAS-Bench-201 architecture '{Limits.Echo(arch)}': {why} (format {Format}; ops {string.Join(", ", OpNames)})");
}
