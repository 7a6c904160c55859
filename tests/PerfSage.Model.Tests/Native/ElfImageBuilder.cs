using System.Text;

namespace PerfSage.Model.Tests.Native;

/// <summary>
/// Writes a minimal ELF64 little-endian image for the tests: a header, a string table, an optional
/// <c>.gnu.version_r</c> and an optional <c>.gnu.version_d</c>, and a section header table. Offsets
/// are laid out by hand here (not by the code under test) and exposed so the tests can corrupt them.
/// </summary>
internal sealed class ElfImageBuilder
{
    private readonly List<(string File, List<(string Version, ushort Flags)> Versions)> needs = [];
    private readonly List<string> definitions = [];

    public ushort Machine { get; set; } = 62;

    /// <summary>Offset of the version-needs section in the last built image.</summary>
    public int VerneedOffset { get; private set; }

    /// <summary>Offset of the section header table in the last built image.</summary>
    public int SectionTableOffset { get; private set; }

    public ElfImageBuilder Need(string file, params (string Version, ushort Flags)[] versions)
    {
        needs.Add((file, versions.ToList()));
        return this;
    }

    public ElfImageBuilder Define(params string[] versions)
    {
        definitions.AddRange(versions);
        return this;
    }

    public byte[] Build()
    {
        // String table: "\0" then every distinct name.
        var strtab = new List<byte> { 0 };
        var nameOffsets = new Dictionary<string, int>(StringComparer.Ordinal);
        int Name(string s)
        {
            if (!nameOffsets.TryGetValue(s, out int at))
            {
                at = strtab.Count;
                strtab.AddRange(Encoding.ASCII.GetBytes(s));
                strtab.Add(0);
                nameOffsets[s] = at;
            }
            return at;
        }

        // .gnu.version_r: each Verneed is followed by its Vernaux entries.
        var verneed = new List<byte>();
        for (int i = 0; i < needs.Count; i++)
        {
            (string file, List<(string Version, ushort Flags)> versions) = needs[i];
            int size = 16 + (16 * versions.Count);
            bool last = i == needs.Count - 1;
            Put16(verneed, 1);
            Put16(verneed, (ushort)versions.Count);
            Put32(verneed, (uint)Name(file));
            Put32(verneed, 16);
            Put32(verneed, last ? 0u : (uint)size);
            for (int j = 0; j < versions.Count; j++)
            {
                Put32(verneed, Hash(versions[j].Version));
                Put16(verneed, versions[j].Flags);
                Put16(verneed, (ushort)(2 + j));
                Put32(verneed, (uint)Name(versions[j].Version));
                Put32(verneed, j == versions.Count - 1 ? 0u : 16u);
            }
        }

        // .gnu.version_d: one Verdef (20 bytes) + one Verdaux (8 bytes) per version.
        var verdef = new List<byte>();
        for (int i = 0; i < definitions.Count; i++)
        {
            Put16(verdef, 1);
            Put16(verdef, 0);
            Put16(verdef, (ushort)(i + 1));
            Put16(verdef, 1);
            Put32(verdef, Hash(definitions[i]));
            Put32(verdef, 20);
            Put32(verdef, i == definitions.Count - 1 ? 0u : 28u);
            Put32(verdef, (uint)Name(definitions[i]));
            Put32(verdef, 0);
        }

        // Layout: header (64) | strtab | pad to 8 | verneed | pad | verdef | pad | section headers.
        var image = new List<byte>(new byte[64]);
        int strtabOffset = image.Count;
        image.AddRange(strtab);
        Pad(image);
        VerneedOffset = image.Count;
        image.AddRange(verneed);
        Pad(image);
        int verdefOffset = image.Count;
        image.AddRange(verdef);
        Pad(image);
        SectionTableOffset = image.Count;

        var sections = new List<byte[]> { new byte[64] };
        sections.Add(Shdr(type: 3, offset: strtabOffset, size: strtab.Count, link: 0, info: 0));
        if (needs.Count > 0)
        {
            sections.Add(Shdr(type: 0x6ffffffe, offset: VerneedOffset, size: verneed.Count, link: 1, info: (uint)needs.Count));
        }
        if (definitions.Count > 0)
        {
            sections.Add(Shdr(type: 0x6ffffffd, offset: verdefOffset, size: verdef.Count, link: 1, info: (uint)definitions.Count));
        }
        foreach (byte[] s in sections)
        {
            image.AddRange(s);
        }

        byte[] bytes = [.. image];
        bytes[0] = 0x7f;
        bytes[1] = (byte)'E';
        bytes[2] = (byte)'L';
        bytes[3] = (byte)'F';
        bytes[4] = 2; // ELFCLASS64
        bytes[5] = 1; // ELFDATA2LSB
        bytes[6] = 1; // EV_CURRENT
        Write16(bytes, 16, 3); // ET_DYN
        Write16(bytes, 18, Machine);
        Write32(bytes, 20, 1);
        Write64(bytes, 40, (ulong)SectionTableOffset);
        Write16(bytes, 52, 64);
        Write16(bytes, 58, 64);
        Write16(bytes, 60, (ushort)sections.Count);
        Write16(bytes, 62, 1);
        return bytes;
    }

    /// <summary>System V ELF hash, written out independently of the code under test.</summary>
    public static uint Hash(string name)
    {
        uint h = 0;
        foreach (byte c in Encoding.ASCII.GetBytes(name))
        {
            h = unchecked((h << 4) + c);
            uint high = h & 0xF0000000;
            h ^= high >> 24;
            h &= 0x0FFFFFFF;
        }
        return h;
    }

    public static void Write16(byte[] b, int at, ushort v) => BitConverter.TryWriteBytes(b.AsSpan(at, 2), v);

    public static void Write32(byte[] b, int at, uint v) => BitConverter.TryWriteBytes(b.AsSpan(at, 4), v);

    public static void Write64(byte[] b, int at, ulong v) => BitConverter.TryWriteBytes(b.AsSpan(at, 8), v);

    private static byte[] Shdr(uint type, int offset, int size, uint link, uint info)
    {
        var s = new byte[64];
        Write32(s, 4, type);
        Write64(s, 24, (ulong)offset);
        Write64(s, 32, (ulong)size);
        Write32(s, 40, link);
        Write32(s, 44, info);
        Write64(s, 48, 8);
        return s;
    }

    private static void Pad(List<byte> b)
    {
        while (b.Count % 8 != 0)
        {
            b.Add(0);
        }
    }

    private static void Put16(List<byte> b, ushort v) => b.AddRange(BitConverter.GetBytes(v));

    private static void Put32(List<byte> b, uint v) => b.AddRange(BitConverter.GetBytes(v));
}
