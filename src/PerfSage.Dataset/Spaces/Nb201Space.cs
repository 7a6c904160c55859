using System.Globalization;
using PerfSage.Graph;
using PerfSage.Tflite;

namespace PerfSage.Dataset.Spaces;

/// <summary>
/// NAS-Bench-201 (Dong and Yang, arXiv 2001.00326): the CIFAR-10 network of each of the 15,625 cell
/// genotypes, converted as a TFLite converter would (see <see cref="Nb201Network"/>'s remarks: BN folded,
/// constant parts folded, dead parts removed). <see cref="Sample"/> draws a genotype uniformly.
/// float32 by default (the devices of the NB201 latency table are CPUs and GPUs); an int8 variant
/// (<c>nb201-int8</c>) for microcontrollers and NPUs.
/// </summary>
public sealed class Nb201Space : ISearchSpace
{
    private static readonly string[] OpChoices = [.. Nb201Arch.OpNames];

    /// <summary>A space of <paramref name="dtype"/> networks: <see cref="TensorType.Float32"/> (<c>nb201</c>)
    /// or <see cref="TensorType.Int8"/> (<c>nb201-int8</c>).</summary>
    public Nb201Space(TensorType dtype = TensorType.Float32)
    {
        Variant = VariantOf(dtype);
        Name = Variant == DTypeVariant.Float32 ? "nb201" : "nb201-int8";
        IntendedFamilies = Variant == DTypeVariant.Float32 ? ["mobile-gpu"] : ["cortex-m", "ethos-u"];
        Budget = Variant == DTypeVariant.Float32 ? MemoryBudget.MobileGpu : MemoryBudget.Microcontroller;
        Knobs =
        [
            Knob.Choice("dtype", [DTypeVariants.Name(Variant)], "element types"),
            Knob.Numeric("arch_index", 0, Nb201Arch.Count - 1, "PerfSage's genotype number (base-5 digits of the edge ops)"),
            Knob.Text("arch", "the NAS-Bench-201 architecture string"),
            Knob.Choice("edge_1_0", OpChoices, "op on edge 0 -> 1"),
            Knob.Choice("edge_2_0", OpChoices, "op on edge 0 -> 2"),
            Knob.Choice("edge_2_1", OpChoices, "op on edge 1 -> 2"),
            Knob.Choice("edge_3_0", OpChoices, "op on edge 0 -> 3"),
            Knob.Choice("edge_3_1", OpChoices, "op on edge 1 -> 3"),
            Knob.Choice("edge_3_2", OpChoices, "op on edge 2 -> 3"),
            Knob.Choice("folded", ["no", "yes"], "yes when no path joins the cell input to its output: the whole " +
                "network folds to a constant and the graph has no operators"),
        ];
    }

    public string Name { get; }

    public string Description => "NAS-Bench-201 CIFAR-10 networks (15,625 cell genotypes), converter-folded, " +
        DTypeVariants.Name(Variant);

    public IReadOnlyList<Knob> Knobs { get; }

    public IReadOnlyList<string> IntendedFamilies { get; }

    public MemoryBudget Budget { get; }

    /// <summary>The element-type variant (float32 or int8).</summary>
    public DTypeVariant Variant { get; }

    /// <summary>The network of <paramref name="arch"/> (an architecture string, see
    /// <see cref="Nb201Arch.Parse"/>) in <paramref name="dtype"/> (float32 or int8). Throws
    /// <see cref="SearchSpaceException"/> for a malformed string or another type.</summary>
    public static OpGraph FromArchString(string arch, TensorType dtype = TensorType.Float32) =>
        FromArchString(arch, dtype, Nb201Graph.Converted);

    /// <summary>The network of <paramref name="arch"/> in <paramref name="dtype"/>: converter-folded, as an eager
    /// framework runs it, or eager with dead code removed (see <see cref="Nb201Graph"/>).</summary>
    public static OpGraph FromArchString(string arch, TensorType dtype, Nb201Graph graph) =>
        FromArchString(arch, dtype, graph, 1);

    /// <summary>As <see cref="FromArchString(string, TensorType, Nb201Graph)"/>, for an input batch of
    /// <paramref name="batch"/> images (a GPU table column measured at batch N).</summary>
    public static OpGraph FromArchString(string arch, TensorType dtype, Nb201Graph graph, int batch)
    {
        Nb201Arch parsed = Nb201Arch.Parse(arch);
        if (batch is < 1 or > DeviceColumns.MaxBatch)
        {
            throw new SearchSpaceException($"NAS-Bench-201 batch {batch}: must be 1..{DeviceColumns.MaxBatch}");
        }
        string name = "nb201-" + parsed.Index.ToString("D5", CultureInfo.InvariantCulture);
        return graph switch
        {
            Nb201Graph.Eager => Nb201Network.BuildEager(parsed, VariantOf(dtype), name, batch),
            Nb201Graph.Pruned => Nb201Network.BuildPruned(parsed, VariantOf(dtype), name, batch),
            _ => Nb201Network.Build(parsed, VariantOf(dtype), name, batch),
        };
    }

    /// <summary>The network of <paramref name="arch"/>.</summary>
    public OpGraph Build(Nb201Arch arch) =>
        Nb201Network.Build(arch, Variant, Name + "-" + arch.Index.ToString("D5", CultureInfo.InvariantCulture));

    public SpaceSample Sample(ulong seed, long index) => Sampling.Run(this, seed, index, Draw);

    private Draft Draw(SampleRng rng, string id)
    {
        var arch = new Nb201Arch(rng.Next(0, Nb201Arch.Count - 1));
        var knobs = new KnobValues();
        knobs.Set("dtype", DTypeVariants.Name(Variant));
        knobs.Set("arch_index", arch.Index);
        knobs.Set("arch", arch.ToString());
        foreach ((int to, int from) in Nb201Arch.Edges)
        {
            knobs.Set(string.Create(CultureInfo.InvariantCulture, $"edge_{to}_{from}"), Nb201Arch.OpNames[(int)arch.Op(to, from)]);
        }
        knobs.Set("folded", arch.IsConnected ? "no" : "yes");
        return new Draft(Nb201Network.Build(arch, Variant, id), knobs, "nb201", DTypeVariants.Name(Variant));
    }

    private static DTypeVariant VariantOf(TensorType dtype) => dtype switch
    {
        TensorType.Float32 => DTypeVariant.Float32,
        TensorType.Int8 => DTypeVariant.Int8,
        _ => throw new SearchSpaceException(
            $"NAS-Bench-201 networks are built as float32 or int8, not {TensorTypes.Name(dtype)}"),
    };
}

/// <summary>Which NAS-Bench-201 network a genotype becomes.</summary>
public enum Nb201Graph
{
    /// <summary>As a TFLite converter leaves it: batch norm folded, dead edges removed, constants folded
    /// (what a deployed .tflite of the genotype contains).</summary>
    Converted,

    /// <summary>As the NAS-Bench-201 reference code runs in an eager framework: every edge executes, <c>none</c>
    /// multiplies by zero (what the published device latencies measured).</summary>
    Eager,

    /// <summary>The eager network after dead-code elimination only: <c>none</c> edges and the nodes only they read
    /// are removed, operations on all-zero nodes still run, an input-independent cell folds the network (an
    /// empirical model of the raspi4 column; <see cref="Nb201Network.BuildPruned"/>).</summary>
    Pruned,
}

/// <summary>The names of <see cref="Nb201Graph"/> kinds, as <c>import-nb201 --graph</c> and a dataset's build record
/// spell them.</summary>
public static class Nb201Graphs
{
    /// <summary>Every name, in declaration order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["converted", "eager", "pruned"];

    /// <summary><c>converted</c>, <c>eager</c> or <c>pruned</c>.</summary>
    public static string Name(Nb201Graph graph) => Names[(int)graph];

    /// <summary>The kind named <paramref name="name"/> (one of <see cref="Names"/>).</summary>
    public static Nb201Graph Parse(string name)
    {
        for (int i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], name, StringComparison.Ordinal))
            {
                return (Nb201Graph)i;
            }
        }
        throw new ArgumentException($"unknown NAS-Bench-201 graph kind '{name}' (kinds: {string.Join(", ", Names)})", nameof(name));
    }
}
