namespace PerfSage.Dataset.Spaces;

/// <summary>One searchable layer's block in the FBNet space (Wu et al., "FBNet", CVPR 2019, table 2; the block
/// names and their order are those of the published FBNet architecture lists, ../shared/data/fbnet/README.md).</summary>
public enum FbnetBlock
{
    /// <summary>Kernel 3, expansion 1, one group.</summary>
    K3E1,

    /// <summary>Kernel 3, expansion 1, two groups in the 1×1 convolutions (and a channel shuffle).</summary>
    K3E1G2,

    /// <summary>Kernel 3, expansion 3.</summary>
    K3E3,

    /// <summary>Kernel 3, expansion 6.</summary>
    K3E6,

    /// <summary>Kernel 5, expansion 1.</summary>
    K5E1,

    /// <summary>Kernel 5, expansion 1, two groups.</summary>
    K5E1G2,

    /// <summary>Kernel 5, expansion 3.</summary>
    K5E3,

    /// <summary>Kernel 5, expansion 6.</summary>
    K5E6,

    /// <summary>No block: the identity, or a 1×1 convolution where the layer changes stride or width.</summary>
    Skip,
}

/// <summary>Names and shapes of <see cref="FbnetBlock"/>.</summary>
public static class FbnetBlocks
{
    /// <summary>The published names, indexed by the published encoding (0..8).</summary>
    public static IReadOnlyList<string> Names => NameArray;

    private static readonly string[] NameArray =
        ["k3_e1", "k3_e1_g2", "k3_e3", "k3_e6", "k5_e1", "k5_e1_g2", "k5_e3", "k5_e6", "skip"];

    /// <summary>The block named <paramref name="name"/> (exact spelling), or null.</summary>
    public static FbnetBlock? Parse(string name)
    {
        int index = Array.IndexOf(NameArray, name);
        return index < 0 ? null : (FbnetBlock)index;
    }

    /// <summary>The published name of <paramref name="block"/>.</summary>
    public static string Name(FbnetBlock block) => Names[(int)block];

    /// <summary>Depthwise kernel size (0 for skip).</summary>
    public static int Kernel(FbnetBlock block) => block switch
    {
        FbnetBlock.Skip => 0,
        FbnetBlock.K3E1 or FbnetBlock.K3E1G2 or FbnetBlock.K3E3 or FbnetBlock.K3E6 => 3,
        _ => 5,
    };

    /// <summary>Expansion of the first 1×1 convolution (0 for skip).</summary>
    public static int Expansion(FbnetBlock block) => block switch
    {
        FbnetBlock.Skip => 0,
        FbnetBlock.K3E3 or FbnetBlock.K5E3 => 3,
        FbnetBlock.K3E6 or FbnetBlock.K5E6 => 6,
        _ => 1,
    };

    /// <summary>Groups of both 1×1 convolutions (1 for skip).</summary>
    public static int Groups(FbnetBlock block) => block is FbnetBlock.K3E1G2 or FbnetBlock.K5E1G2 ? 2 : 1;
}

/// <summary>An FBNet architecture: the blocks of its 22 searchable layers, in order.</summary>
public sealed class FbnetArch
{
    /// <summary>Searchable layers in the FBNet macro-architecture.</summary>
    public const int LayerCount = 22;

    private readonly FbnetBlock[] _blocks;

    private FbnetArch(FbnetBlock[] blocks) => _blocks = blocks;

    /// <summary>The 22 blocks.</summary>
    public IReadOnlyList<FbnetBlock> Blocks => _blocks;

    /// <summary>An architecture from its blocks (exactly <see cref="LayerCount"/>).</summary>
    public static FbnetArch Of(IReadOnlyList<FbnetBlock> blocks)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        if (blocks.Count != LayerCount)
        {
            throw new SearchSpaceException($"an FBNet architecture has {LayerCount} layers, not {blocks.Count}");
        }
        foreach (FbnetBlock b in blocks)
        {
            if (!Enum.IsDefined(b))
            {
                throw new SearchSpaceException($"FBNet block {(int)b} is not one of the 9 published blocks");
            }
        }
        return new FbnetArch([.. blocks]);
    }

    /// <summary>Parses the published spelling: 22 block names joined by <c>|</c> (e.g.
    /// <c>k5_e6|skip|k3_e1_g2|…</c>).</summary>
    public static FbnetArch Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string[] parts = text.Split('|');
        if (parts.Length != LayerCount)
        {
            throw new SearchSpaceException($"FBNet architecture '{Limits.Echo(text)}' has {parts.Length} '|'-separated blocks, expected {LayerCount}");
        }
        var blocks = new FbnetBlock[LayerCount];
        for (int i = 0; i < LayerCount; i++)
        {
            blocks[i] = FbnetBlocks.Parse(parts[i])
                ?? throw new SearchSpaceException($"FBNet layer {i}: block '{Limits.Echo(parts[i])}' is not one of {string.Join(", ", FbnetBlocks.Names)}");
        }
        return new FbnetArch(blocks);
    }

    /// <inheritdoc />
    public override string ToString() => string.Join('|', _blocks.Select(FbnetBlocks.Name));
}
