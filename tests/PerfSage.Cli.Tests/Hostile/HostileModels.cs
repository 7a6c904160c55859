using System.Globalization;

namespace PerfSage.Cli.Tests.Hostile;

/// <summary>One generated hostile model.</summary>
/// <param name="Index">Its index under the generator seed: (seed, index) reproduces it alone.</param>
/// <param name="Name">A file name (<c>h00042-shape-dim.tflite</c>).</param>
/// <param name="Bytes">The file's content.</param>
/// <param name="Kind">The mutation category (<c>shape/dim</c>, <c>fb/vector-length</c>, …).</param>
/// <param name="Detail">Exactly what was changed, with field paths and values.</param>
/// <param name="Seed">The seed model it was made from.</param>
internal sealed record HostileModel(int Index, string Name, byte[] Bytes, string Kind, string Detail, string Seed);

/// <summary>
/// Generates hostile <c>.tflite</c> files from valid seed models, deterministically: case <c>i</c> under generator
/// seed <c>s</c> depends only on (<c>s</c>, <c>i</c>) and the seed list, so a failing case is reproduced alone.
/// Three families of mutation: byte-level (flips, random runs, truncation, garbage tails, splices),
/// FlatBuffer-aware (one field overwritten in place: a vtable, an offset, a vector length, an index, a code) and
/// semantic (the parsed model edited through <see cref="DraftModel"/> and written again by the project's writer,
/// so the hostile content reaches the graph, the cost rules, the estimators and the featurizer).
/// </summary>
internal static class HostileModels
{
    /// <summary>The mutation categories and their weights.</summary>
    public static IReadOnlyList<(string Kind, int Weight)> Kinds { get; } = BuildKinds();

    private static readonly int TotalWeight = Kinds.Sum(k => k.Weight);

    /// <summary><paramref name="count"/> hostile models from <paramref name="seeds"/> under <paramref name="seed"/>.</summary>
    public static IEnumerable<HostileModel> Generate(int seed, int count, IReadOnlyList<SeedModel> seeds)
    {
        for (int i = 0; i < count; i++)
        {
            yield return Make(seed, i, seeds);
        }
    }

    /// <summary>Case <paramref name="index"/> alone.</summary>
    public static HostileModel Make(int seed, int index, IReadOnlyList<SeedModel> seeds)
    {
        var rng = new Random(CaseSeed(seed, index));
        SeedModel model = seeds[rng.Next(seeds.Count)];
        string kind = PickKind(rng);
        // A mutation that does not apply to this seed (no such field) or that the writer refuses gives way to the
        // next draw; byte flips always apply.
        for (int attempt = 0; attempt < 16; attempt++)
        {
            (byte[] Bytes, string Detail)? result = Apply(kind, rng, model);
            if (result is { } r)
            {
                string name = $"h{index:D5}-{kind.Replace('/', '-')}.tflite";
                return new HostileModel(index, name, r.Bytes, kind, r.Detail, model.Name);
            }
            kind = PickKind(rng);
        }
        (byte[] bytes, string detail) = Bytes.Flip(rng, model);
        return new HostileModel(index, $"h{index:D5}-bytes-flip.tflite", bytes, "bytes/flip", detail, model.Name);
    }

    /// <summary>A 32-bit seed for <see cref="Random"/> from (generator seed, case index): SplitMix64's finaliser.</summary>
    public static int CaseSeed(int seed, int index)
    {
        ulong z = ((ulong)(uint)seed << 32) ^ (uint)index;
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return (int)(z & int.MaxValue);
    }

    private static string PickKind(Random rng)
    {
        int r = rng.Next(TotalWeight);
        foreach ((string kind, int weight) in Kinds)
        {
            if (r < weight)
            {
                return kind;
            }
            r -= weight;
        }
        return Kinds[^1].Kind;
    }

    private static (byte[] Bytes, string Detail)? Apply(string kind, Random rng, SeedModel seed) => kind switch
    {
        "bytes/flip" => Bytes.Flip(rng, seed),
        "bytes/run" => Bytes.Run(rng, seed),
        "bytes/truncate" => Bytes.Truncate(rng, seed),
        "bytes/extend" => Bytes.Extend(rng, seed),
        "bytes/splice" => Bytes.Splice(rng, seed),
        "fb/root-offset" => FlatBuffer.RootOffset(rng, seed),
        "fb/vtable-offset" => FlatBuffer.VTableOffset(rng, seed),
        "fb/vtable-entry" => FlatBuffer.VTableEntry(rng, seed),
        "fb/vector-length" => FlatBuffer.VectorLength(rng, seed),
        "fb/offset" => FlatBuffer.Offset(rng, seed),
        "fb/opcode-index" => FlatBuffer.OpcodeIndex(rng, seed),
        "fb/builtin-code" => FlatBuffer.BuiltinCode(rng, seed),
        "fb/tensor-index" => FlatBuffer.TensorIndex(rng, seed),
        "fb/buffer-index" => FlatBuffer.BufferIndex(rng, seed),
        "fb/version" => FlatBuffer.Version(rng, seed),
        "fb/subgraph-count" => FlatBuffer.SubgraphCount(rng, seed),
        "fb/union-type" => FlatBuffer.UnionType(rng, seed),
        "fb/tensor-type" => FlatBuffer.TensorType(rng, seed),
        "fb/scale" => FlatBuffer.Scale(rng, seed),
        _ => Semantic.Apply(kind, rng, seed),
    };

    private static List<(string Kind, int Weight)> BuildKinds() =>
    [
        ("bytes/flip", 6), ("bytes/run", 4), ("bytes/truncate", 4), ("bytes/extend", 2), ("bytes/splice", 2),
        ("fb/root-offset", 1), ("fb/vtable-offset", 3), ("fb/vtable-entry", 3), ("fb/vector-length", 4), ("fb/offset", 3),
        ("fb/opcode-index", 2), ("fb/builtin-code", 2), ("fb/tensor-index", 3), ("fb/buffer-index", 2), ("fb/version", 1),
        ("fb/subgraph-count", 1), ("fb/union-type", 2), ("fb/tensor-type", 1), ("fb/scale", 1),
        ("shape/dim", 5), ("shape/overflow", 4), ("shape/rank", 3), ("shape/signature", 1),
        ("tensor/type", 3), ("tensor/buffer-data", 3), ("quant/scale", 4), ("quant/params", 2),
        ("options/window", 5), ("options/other", 3), ("options/mismatch", 2),
        ("opcode/swap", 3), ("opcode/unknown", 2),
        ("op/inputs", 4), ("op/outputs", 3), ("op/order", 4), ("graph/io", 2), ("graph/subgraphs", 2),
        ("scale/operators", 1), ("scale/tensors", 1), ("names", 1), ("combined", 4),
    ];

    internal static T Pick<T>(this Random rng, IReadOnlyList<T> items) => items[rng.Next(items.Count)];

    /// <summary>Byte-level mutations (no knowledge of the format).</summary>
    private static class Bytes
    {
        /// <summary>A position, three times in four inside the structure (before the tensor data).</summary>
        private static int Position(Random rng, SeedModel seed) =>
            rng.Next(4) != 0 ? rng.Next(seed.StructureEnd) : rng.Next(seed.Bytes.Length);

        public static (byte[], string) Flip(Random rng, SeedModel seed)
        {
            byte[] bytes = [.. seed.Bytes];
            int flips = 1 + rng.Next(8);
            var at = new List<string>();
            for (int k = 0; k < flips; k++)
            {
                int position = Position(rng, seed);
                int bit = rng.Next(8);
                bytes[position] ^= (byte)(1 << bit);
                at.Add($"{position}.{bit}");
            }
            return (bytes, $"{flips} bit flip(s) at byte.bit {string.Join(", ", at)}");
        }

        public static (byte[], string) Run(Random rng, SeedModel seed)
        {
            byte[] bytes = [.. seed.Bytes];
            int position = Position(rng, seed);
            int length = Math.Min(1 + rng.Next(64), bytes.Length - position);
            int fill = rng.Next(3);
            for (int k = 0; k < length; k++)
            {
                bytes[position + k] = fill switch { 0 => 0x00, 1 => 0xFF, _ => (byte)rng.Next(256) };
            }
            string what = fill switch { 0 => "0x00", 1 => "0xFF", _ => "random bytes" };
            return (bytes, $"{length} bytes at {position} overwritten with {what}");
        }

        public static (byte[], string) Truncate(Random rng, SeedModel seed)
        {
            int length = rng.Next(3) == 0 ? rng.Next(Math.Min(64, seed.Bytes.Length)) : rng.Next(seed.Bytes.Length);
            return (seed.Bytes[..length], $"truncated to {length} of {seed.Bytes.Length} bytes");
        }

        public static (byte[], string) Extend(Random rng, SeedModel seed)
        {
            int length = 1 + rng.Next(4096);
            var tail = new byte[length];
            rng.NextBytes(tail);
            return ([.. seed.Bytes, .. tail], $"{length} random bytes appended");
        }

        public static (byte[], string) Splice(Random rng, SeedModel seed)
        {
            int position = Position(rng, seed);
            int length = 1 + rng.Next(32);
            if (rng.Next(2) == 0)
            {
                var inserted = new byte[length];
                rng.NextBytes(inserted);
                return ([.. seed.Bytes[..position], .. inserted, .. seed.Bytes[position..]], $"{length} random bytes inserted at {position}");
            }
            length = Math.Min(length, seed.Bytes.Length - position);
            return ([.. seed.Bytes[..position], .. seed.Bytes[(position + length)..]], $"{length} bytes deleted at {position}");
        }
    }

    /// <summary>FlatBuffer-aware mutations: one field of the seed overwritten in place.</summary>
    private static class FlatBuffer
    {
        private static readonly uint[] HugeCounts = [0x7FFFFFFF, 0xFFFFFFFF, 0x10000000, 0x00FFFFFF, 65536];

        private static (byte[] Bytes, FlatBufferCursor Cursor) Copy(SeedModel seed)
        {
            byte[] bytes = [.. seed.Bytes];
            return (bytes, new FlatBufferCursor(bytes));
        }

        private static (byte[], string)? Int32At(Random rng, SeedModel seed, List<Spot> spots, int[] values, string what)
        {
            if (spots.Count == 0)
            {
                return null;
            }
            Spot spot = rng.Pick(spots);
            (byte[] bytes, FlatBufferCursor c) = Copy(seed);
            int old = c.ReadInt32(spot.Position);
            int value = rng.Pick(values);
            c.WriteInt32(spot.Position, value);
            return (bytes, $"{what} {spot.Path} {old} -> {value} (byte {spot.Position})");
        }

        public static (byte[], string)? RootOffset(Random rng, SeedModel seed)
        {
            (byte[] bytes, FlatBufferCursor c) = Copy(seed);
            uint[] values = [0, 4, 8, (uint)bytes.Length, (uint)bytes.Length - 4, 0xFFFFFFFF, 0x7FFFFFFF, (uint)rng.Next(bytes.Length)];
            uint value = rng.Pick(values);
            c.WriteUInt32(0, value);
            return (bytes, $"root offset -> {value}");
        }

        public static (byte[], string)? VTableOffset(Random rng, SeedModel seed)
        {
            Spot table = rng.Pick(seed.Layout.Tables);
            (byte[] bytes, FlatBufferCursor c) = Copy(seed);
            int old = c.ReadInt32(table.Position);
            int[] values = [0, 4, -4, int.MaxValue, int.MinValue, table.Position + 1, -(bytes.Length - table.Position), old + 2, old - 2];
            int value = rng.Pick(values);
            c.WriteInt32(table.Position, value);
            return (bytes, $"vtable offset of {table.Path} {old} -> {value} (byte {table.Position})");
        }

        public static (byte[], string)? VTableEntry(Random rng, SeedModel seed)
        {
            Spot table = rng.Pick(seed.Layout.Tables);
            (byte[] bytes, FlatBufferCursor c) = Copy(seed);
            int vtable = c.VTable(table.Position);
            if (vtable < 0)
            {
                return null;
            }
            int vtableSize = c.ReadUInt16(vtable);
            int slots = Math.Max(0, (vtableSize - 4) / 2);
            int choice = rng.Next(slots + 2);
            ushort[] values = [0, 1, 3, 0xFFFF, 0x7FFF, 0x8000, (ushort)rng.Next(65536)];
            ushort value = rng.Pick(values);
            if (choice == 0)
            {
                c.WriteUInt16(vtable, value);
                return (bytes, $"vtable size of {table.Path} {vtableSize} -> {value} (byte {vtable})");
            }
            if (choice == 1)
            {
                int old = c.ReadUInt16(vtable + 2);
                c.WriteUInt16(vtable + 2, value);
                return (bytes, $"table size of {table.Path} {old} -> {value} (byte {vtable + 2})");
            }
            int slot = choice - 2;
            int entry = vtable + 4 + (2 * slot);
            int oldOffset = c.ReadUInt16(entry);
            c.WriteUInt16(entry, value);
            return (bytes, $"vtable entry {slot} of {table.Path} {oldOffset} -> {value} (byte {entry})");
        }

        public static (byte[], string)? VectorLength(Random rng, SeedModel seed)
        {
            Spot vector = rng.Pick(seed.Layout.Vectors);
            (byte[] bytes, FlatBufferCursor c) = Copy(seed);
            uint old = (uint)c.ReadInt32(vector.Position);
            uint[] values = [.. HugeCounts, old + 1, old * 2 + 1, old == 0 ? 1 : old - 1, (uint)bytes.Length];
            uint value = rng.Pick(values);
            c.WriteUInt32(vector.Position, value);
            return (bytes, $"length of {vector.Path} {old} -> {value} (byte {vector.Position})");
        }

        public static (byte[], string)? Offset(Random rng, SeedModel seed)
        {
            Spot field = rng.Pick(seed.Layout.Offsets);
            (byte[] bytes, FlatBufferCursor c) = Copy(seed);
            uint old = (uint)c.ReadInt32(field.Position);
            uint[] values =
            [
                0, // points at the offset itself
                0xFFFFFFFC, 0xFFFFFFF0, // wraps around to just before the field
                0x7FFFFFFF, 0xFFFFFFFF, (uint)(bytes.Length - field.Position), (uint)(bytes.Length - field.Position - 2),
                (uint)(seed.Layout.ModelTable - field.Position), // at the root table
                old + 1, old + 2,
            ];
            uint value = rng.Pick(values);
            c.WriteUInt32(field.Position, value);
            return (bytes, $"offset {field.Path} {old} -> {value} (byte {field.Position})");
        }

        public static (byte[], string)? OpcodeIndex(Random rng, SeedModel seed)
        {
            int codes = seed.Model.OperatorCodes.Count;
            return Int32At(rng, seed, seed.Layout.OpcodeIndices, [codes, codes + 1, -1, int.MaxValue, int.MinValue, 1 << 20], "opcode index");
        }

        public static (byte[], string)? BuiltinCode(Random rng, SeedModel seed)
        {
            if (rng.Next(3) == 0 && seed.Layout.DeprecatedCodes.Count > 0)
            {
                Spot spot = rng.Pick(seed.Layout.DeprecatedCodes);
                (byte[] bytes, FlatBufferCursor _) = Copy(seed);
                byte old = bytes[spot.Position];
                byte[] values = [0x7F, 0x80, 0xFF, 0xC8, (byte)rng.Next(256)];
                byte value = rng.Pick(values);
                bytes[spot.Position] = value;
                return (bytes, $"deprecated code {spot.Path} {(sbyte)old} -> {(sbyte)value} (byte {spot.Position})");
            }
            if (rng.Next(4) == 0)
            {
                return Int32At(rng, seed, seed.Layout.CodeVersions, [0, -1, int.MaxValue, int.MinValue], "operator version");
            }
            return Int32At(rng, seed, seed.Layout.BuiltinCodes, [-1, -100, 127, 10000, int.MaxValue, int.MinValue, 210, 255], "builtin code");
        }

        public static (byte[], string)? TensorIndex(Random rng, SeedModel seed)
        {
            int tensors = seed.Model.Subgraphs.Count == 0 ? 0 : seed.Model.Subgraphs[0].Tensors.Count;
            return Int32At(rng, seed, seed.Layout.TensorIndices,
                [tensors, tensors + 7, -1, -2, int.MaxValue, int.MinValue, 1 << 20], "tensor index");
        }

        public static (byte[], string)? BufferIndex(Random rng, SeedModel seed)
        {
            int buffers = seed.Model.Buffers.Count;
            return Int32At(rng, seed, seed.Layout.BufferIndices, [buffers, buffers + 1, -1, int.MaxValue, int.MinValue], "buffer index");
        }

        public static (byte[], string)? Version(Random rng, SeedModel seed)
        {
            if (seed.Layout.Version is not { } spot)
            {
                return null;
            }
            return Int32At(rng, seed, [spot], [0, 1, 2, 4, -1, int.MaxValue], "schema version");
        }

        public static (byte[], string)? SubgraphCount(Random rng, SeedModel seed)
        {
            Spot? vector = rng.Next(3) switch
            {
                0 => seed.Layout.SubgraphsVector,
                1 => seed.Layout.OperatorCodesVector,
                _ => seed.Layout.BuffersVector,
            };
            if (vector is not { } spot)
            {
                return null;
            }
            (byte[] bytes, FlatBufferCursor c) = Copy(seed);
            uint old = (uint)c.ReadInt32(spot.Position);
            uint[] values = [0, 0xFFFFFFFF, 0x7FFFFFFF, 1_000_000, old + 1];
            uint value = rng.Pick(values);
            c.WriteUInt32(spot.Position, value);
            return (bytes, $"count of {spot.Path} {old} -> {value} (byte {spot.Position})");
        }

        public static (byte[], string)? UnionType(Random rng, SeedModel seed)
        {
            if (seed.Layout.UnionTypes.Count == 0)
            {
                return null;
            }
            Spot spot = rng.Pick(seed.Layout.UnionTypes);
            byte[] bytes = [.. seed.Bytes];
            byte old = bytes[spot.Position];
            byte[] values = [0, 1, 2, 5, 8, 17, 126, 127, 200, 255, (byte)rng.Next(256)];
            byte value = rng.Pick(values);
            bytes[spot.Position] = value;
            return (bytes, $"{spot.Path} {old} -> {value} (byte {spot.Position}; the options table is read as that type)");
        }

        public static (byte[], string)? TensorType(Random rng, SeedModel seed)
        {
            if (seed.Layout.TensorTypes.Count == 0)
            {
                return null;
            }
            Spot spot = rng.Pick(seed.Layout.TensorTypes);
            byte[] bytes = [.. seed.Bytes];
            byte old = bytes[spot.Position];
            byte[] values = [23, 100, 255, 5, 13, 14, 17, 19];
            byte value = rng.Pick(values);
            bytes[spot.Position] = value;
            return (bytes, $"{spot.Path} {old} -> {value} (byte {spot.Position})");
        }

        public static (byte[], string)? Scale(Random rng, SeedModel seed)
        {
            if (seed.Layout.Scales.Count == 0)
            {
                return null;
            }
            Spot spot = rng.Pick(seed.Layout.Scales);
            (byte[] bytes, FlatBufferCursor c) = Copy(seed);
            float[] values = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, 0f, -1f, float.Epsilon, float.MaxValue];
            float value = rng.Pick(values);
            c.WriteInt32(spot.Position, BitConverter.SingleToInt32Bits(value));
            return (bytes, $"{spot.Path} -> {value.ToString(CultureInfo.InvariantCulture)} (byte {spot.Position})");
        }
    }
}
