using System.Runtime.InteropServices;
using PerfSage.Tflite;

namespace PerfSage.Cli.Tests.Hostile;

/// <summary>
/// A valid model the generator mutates: its bytes, the parsed model (for semantic mutations through
/// <see cref="DraftModel"/>) and the places in the bytes that FlatBuffer-aware mutations overwrite
/// (<see cref="SeedLayout"/>).
/// </summary>
internal sealed class SeedModel
{
    private readonly Lazy<SeedLayout> _layout;

    public SeedModel(string name, byte[] bytes)
    {
        Name = name;
        Bytes = bytes;
        Model = TfliteReader.Parse(bytes, name);
        StructureEnd = FindStructureEnd(Model, bytes.Length);
        _layout = new Lazy<SeedLayout>(() => SeedLayout.Of(bytes));
    }

    /// <summary>Where the seed comes from (<c>example:kws_dscnn_int8</c>, <c>space:ic#3</c>, <c>shared:…</c>).</summary>
    public string Name { get; }

    public byte[] Bytes { get; }

    public TfliteModel Model { get; }

    /// <summary>The end of the FlatBuffer's structure: the first byte of buffer data (the writer puts tensor data
    /// behind the tables). Byte-level mutations aim mostly before it, where a flipped bit changes the graph rather
    /// than a weight.</summary>
    public int StructureEnd { get; }

    public SeedLayout Layout => _layout.Value;

    /// <summary>A fresh mutable copy of the parsed model.</summary>
    public DraftModel Draft() => DraftModel.From(Model);

    private static int FindStructureEnd(TfliteModel model, int length)
    {
        int end = length;
        foreach (TfliteBuffer buffer in model.Buffers)
        {
            if (!buffer.Data.IsEmpty && MemoryMarshal.TryGetArray(buffer.Data, out ArraySegment<byte> segment))
            {
                end = Math.Min(end, segment.Offset);
            }
        }
        return Math.Max(end, Math.Min(length, 8));
    }
}

/// <summary>A place in a seed's bytes: what it is (a field path) and where.</summary>
internal readonly record struct Spot(string Path, int Position);

/// <summary>
/// The fields of a seed that FlatBuffer-aware mutations overwrite, found by walking the seed with
/// <see cref="FlatBufferCursor"/> along the official TFLite schema's field ids.
/// </summary>
internal sealed class SeedLayout
{
    // Field ids of the official schema (schemas/tflite.fbs): the slot of each field in its table's vtable.
    private const int ModelVersion = 0, ModelOperatorCodes = 1, ModelSubgraphs = 2, ModelBuffers = 4;
    private const int CodeDeprecated = 0, CodeCustom = 1, CodeVersion = 2, CodeBuiltin = 3;
    private const int SubgraphTensors = 0, SubgraphInputs = 1, SubgraphOutputs = 2, SubgraphOperators = 3, SubgraphName = 4;
    private const int TensorShape = 0, TensorType = 1, TensorBuffer = 2, TensorName = 3, TensorQuantization = 4;
    private const int QuantScale = 2, QuantZeroPoint = 3;
    private const int OpOpcodeIndex = 0, OpInputs = 1, OpOutputs = 2, OpOptionsType = 3, OpOptions = 4;
    private const int BufferData = 0;

    /// <summary>Every table reached (its first byte holds the offset to its vtable).</summary>
    public List<Spot> Tables { get; } = [];

    /// <summary>Every vector and string reached (its first four bytes hold the element count).</summary>
    public List<Spot> Vectors { get; } = [];

    /// <summary>Every offset field and element of a vector of tables (an unsigned distance to a child).</summary>
    public List<Spot> Offsets { get; } = [];

    public List<Spot> OpcodeIndices { get; } = [];

    /// <summary><c>builtin_code</c> (int32) fields.</summary>
    public List<Spot> BuiltinCodes { get; } = [];

    /// <summary><c>deprecated_builtin_code</c> (int8) fields.</summary>
    public List<Spot> DeprecatedCodes { get; } = [];

    /// <summary><c>OperatorCode.version</c> fields.</summary>
    public List<Spot> CodeVersions { get; } = [];

    /// <summary>Tensor indices: operator inputs and outputs, subgraph inputs and outputs (int32 elements).</summary>
    public List<Spot> TensorIndices { get; } = [];

    public List<Spot> BufferIndices { get; } = [];

    /// <summary><c>Tensor.type</c> bytes (absent for float32, the default).</summary>
    public List<Spot> TensorTypes { get; } = [];

    /// <summary>Shape dimensions (int32 elements).</summary>
    public List<Spot> ShapeDims { get; } = [];

    /// <summary><c>builtin_options_type</c> bytes.</summary>
    public List<Spot> UnionTypes { get; } = [];

    /// <summary>Quantisation scales (float32 elements).</summary>
    public List<Spot> Scales { get; } = [];

    public Spot? Version { get; private set; }

    public Spot? SubgraphsVector { get; private set; }

    public Spot? OperatorCodesVector { get; private set; }

    public Spot? BuffersVector { get; private set; }

    public int ModelTable { get; private set; }

    public static SeedLayout Of(byte[] bytes)
    {
        var c = new FlatBufferCursor(bytes);
        var layout = new SeedLayout();
        int root = c.Root;
        layout.ModelTable = root;
        layout.Tables.Add(new Spot("model", root));
        int version = c.Field(root, ModelVersion);
        if (version >= 0)
        {
            layout.Version = new Spot("model.version", version);
        }
        layout.OperatorCodesVector = layout.VectorSpot(c, root, ModelOperatorCodes, "operator_codes");
        layout.SubgraphsVector = layout.VectorSpot(c, root, ModelSubgraphs, "subgraphs");
        layout.BuffersVector = layout.VectorSpot(c, root, ModelBuffers, "buffers");

        List<int> codes = layout.TableVector(c, root, ModelOperatorCodes, "operator_codes");
        for (int i = 0; i < codes.Count; i++)
        {
            string path = $"operator_codes[{i}]";
            layout.AddField(c, codes[i], CodeBuiltin, path + ".builtin_code", layout.BuiltinCodes);
            layout.AddField(c, codes[i], CodeDeprecated, path + ".deprecated_builtin_code", layout.DeprecatedCodes);
            layout.AddField(c, codes[i], CodeVersion, path + ".version", layout.CodeVersions);
            layout.AddVector(c, codes[i], CodeCustom, path + ".custom_code");
        }

        List<int> buffers = layout.TableVector(c, root, ModelBuffers, "buffers");
        for (int i = 0; i < buffers.Count; i++)
        {
            layout.AddVector(c, buffers[i], BufferData, $"buffers[{i}].data");
        }

        List<int> subgraphs = layout.TableVector(c, root, ModelSubgraphs, "subgraphs");
        for (int s = 0; s < subgraphs.Count; s++)
        {
            int sg = subgraphs[s];
            string sp = $"subgraphs[{s}]";
            layout.AddVector(c, sg, SubgraphName, sp + ".name");
            layout.AddIndexVector(c, sg, SubgraphInputs, sp + ".inputs");
            layout.AddIndexVector(c, sg, SubgraphOutputs, sp + ".outputs");

            List<int> tensors = layout.TableVector(c, sg, SubgraphTensors, sp + ".tensors");
            for (int t = 0; t < tensors.Count; t++)
            {
                string tp = $"{sp}.tensors[{t}]";
                int shape = layout.AddVector(c, tensors[t], TensorShape, tp + ".shape");
                for (int d = 0; d < c.VectorCount(shape); d++)
                {
                    layout.ShapeDims.Add(new Spot($"{tp}.shape[{d}]", c.Element(shape, d, 4)));
                }
                layout.AddField(c, tensors[t], TensorType, tp + ".type", layout.TensorTypes);
                layout.AddField(c, tensors[t], TensorBuffer, tp + ".buffer", layout.BufferIndices);
                layout.AddVector(c, tensors[t], TensorName, tp + ".name");
                int quant = layout.SubTable(c, tensors[t], TensorQuantization, tp + ".quantization");
                if (quant >= 0)
                {
                    int scales = layout.AddVector(c, quant, QuantScale, tp + ".quantization.scale");
                    for (int k = 0; k < c.VectorCount(scales); k++)
                    {
                        layout.Scales.Add(new Spot($"{tp}.quantization.scale[{k}]", c.Element(scales, k, 4)));
                    }
                    layout.AddVector(c, quant, QuantZeroPoint, tp + ".quantization.zero_point");
                }
            }

            List<int> operators = layout.TableVector(c, sg, SubgraphOperators, sp + ".operators");
            for (int o = 0; o < operators.Count; o++)
            {
                string op = $"{sp}.operators[{o}]";
                layout.AddField(c, operators[o], OpOpcodeIndex, op + ".opcode_index", layout.OpcodeIndices);
                layout.AddIndexVector(c, operators[o], OpInputs, op + ".inputs");
                layout.AddIndexVector(c, operators[o], OpOutputs, op + ".outputs");
                layout.AddField(c, operators[o], OpOptionsType, op + ".builtin_options_type", layout.UnionTypes);
                layout.SubTable(c, operators[o], OpOptions, op + ".builtin_options");
            }
        }
        return layout;
    }

    private Spot? VectorSpot(FlatBufferCursor c, int table, int id, string path)
    {
        int vector = c.Child(table, id);
        return vector < 0 ? null : new Spot(path, vector);
    }

    private void AddField(FlatBufferCursor c, int table, int id, string path, List<Spot> into)
    {
        int field = c.Field(table, id);
        if (field >= 0)
        {
            into.Add(new Spot(path, field));
        }
    }

    /// <summary>Records the vector (or string) in field <paramref name="id"/> and the offset to it; returns its position or -1.</summary>
    private int AddVector(FlatBufferCursor c, int table, int id, string path)
    {
        int field = c.Field(table, id);
        int vector = field < 0 ? -1 : c.Deref(field);
        if (vector >= 0)
        {
            Offsets.Add(new Spot(path, field));
            Vectors.Add(new Spot(path, vector));
        }
        return vector;
    }

    private void AddIndexVector(FlatBufferCursor c, int table, int id, string path)
    {
        int vector = AddVector(c, table, id, path);
        for (int k = 0; k < c.VectorCount(vector); k++)
        {
            TensorIndices.Add(new Spot($"{path}[{k}]", c.Element(vector, k, 4)));
        }
    }

    private int SubTable(FlatBufferCursor c, int table, int id, string path)
    {
        int field = c.Field(table, id);
        int child = field < 0 ? -1 : c.Deref(field);
        if (child >= 0)
        {
            Offsets.Add(new Spot(path, field));
            Tables.Add(new Spot(path, child));
        }
        return child;
    }

    private List<int> TableVector(FlatBufferCursor c, int table, int id, string path)
    {
        var result = new List<int>();
        int vector = AddVector(c, table, id, path);
        for (int k = 0; k < c.VectorCount(vector); k++)
        {
            int element = c.Element(vector, k, 4);
            int child = c.Deref(element);
            if (child >= 0)
            {
                Offsets.Add(new Spot($"{path}[{k}]", element));
                Tables.Add(new Spot($"{path}[{k}]", child));
                result.Add(child);
            }
        }
        return result;
    }
}
