// Reads the symbol-version tables of an ELF64 little-endian shared library and marks one
// version requirement weak. Used in two places, from this one file:
//   * the library (namespace PerfSage.Model.Native) for TorchRuntime's load diagnostics and the tests;
//   * the build (build/TorchSharpNativeFix.targets compiles this file as an MSBuild inline task),
//     which patches the copy of libLibTorchSharp.so in every output folder.
// The inline task factory compiles against netstandard 2.0 and defines no symbols, so this file
// uses only netstandard 2.0 APIs (no Span, no BinaryPrimitives) and the task class below is kept
// out of the library build with #if !NETCOREAPP.
//
// Layouts (System V gABI and the LSB "Symbol Versioning" chapter):
//   Elf64_Ehdr: e_ident[16], e_type u16 @16, e_machine u16 @18, e_shoff u64 @40,
//               e_shentsize u16 @58, e_shnum u16 @60, e_shstrndx u16 @62
//   Elf64_Shdr (64 bytes): sh_name u32 @0, sh_type u32 @4, sh_offset u64 @24, sh_size u64 @32,
//               sh_link u32 @40, sh_info u32 @44
//   Elf64_Verneed (16 bytes): vn_version u16 @0, vn_cnt u16 @2, vn_file u32 @4, vn_aux u32 @8, vn_next u32 @12
//   Elf64_Vernaux (16 bytes): vna_hash u32 @0, vna_flags u16 @4, vna_other u16 @6, vna_name u32 @8, vna_next u32 @12
//   Elf64_Verdef  (20 bytes): vd_version u16 @0, vd_flags u16 @2, vd_ndx u16 @4, vd_cnt u16 @6,
//               vd_hash u32 @8, vd_aux u32 @12, vd_next u32 @16
//   Elf64_Verdaux (8 bytes):  vda_name u32 @0, vda_next u32 @4
#nullable enable
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

// Block-scoped: build/TorchSharpNativeFix.targets also compiles this file as an MSBuild inline task, whose compiler
// may predate file-scoped namespaces.
#pragma warning disable IDE0161
namespace PerfSage.Model.Native
#pragma warning restore IDE0161
{
    /// <summary>One version a shared library requires from one of its dependencies (an <c>Elf64_Vernaux</c>).</summary>
    internal sealed class ElfVersionNeed
    {
        public ElfVersionNeed(string fileName, string versionName, ushort flags, long flagsOffset)
        {
            FileName = fileName;
            VersionName = versionName;
            Flags = flags;
            FlagsOffset = flagsOffset;
        }

        /// <summary>The dependency's soname, e.g. <c>libstdc++.so.6</c>.</summary>
        public string FileName { get; }

        /// <summary>The required version, e.g. <c>GLIBCXX_3.4.32</c>.</summary>
        public string VersionName { get; }

        /// <summary>The entry's <c>vna_flags</c>.</summary>
        public ushort Flags { get; }

        /// <summary>File offset of the two <c>vna_flags</c> bytes.</summary>
        public long FlagsOffset { get; }

        /// <summary>True when <c>VER_FLG_WEAK</c> is set: the loader only warns when the version is missing.</summary>
        public bool IsWeak => (Flags & ElfVersionPatcher.VerFlagWeak) != 0;
    }

    /// <summary>What <see cref="ElfVersionPatcher.MarkVersionNeedWeak"/> did.</summary>
    internal enum WeakenOutcome
    {
        /// <summary>The library does not require the version at all; file untouched.</summary>
        NotRequired,

        /// <summary>The requirement was already weak; file untouched.</summary>
        AlreadyWeak,

        /// <summary>The flag was set; the file is now a fresh regular file (never a link).</summary>
        MarkedWeak,
    }

    /// <summary>
    /// Parses the ELF64 little-endian section headers properly (no string search over the bytes):
    /// the version-needs section is found by its type <c>SHT_GNU_verneed</c>, names come from the
    /// string table its <c>sh_link</c> names, and every offset is checked against the section and
    /// the file before it is read.
    /// </summary>
    internal static class ElfVersionPatcher
    {
        public const uint ShtStrtab = 3;
        public const uint ShtGnuVerdef = 0x6ffffffd;
        public const uint ShtGnuVerneed = 0x6ffffffe;
        public const ushort VerFlagWeak = 0x2;
        public const ushort EmX8664 = 62;

        private const int EhdrSize = 64;
        private const int ShdrSize = 64;
        private const int VerneedSize = 16;
        private const int VernauxSize = 16;
        private const int VerdefSize = 20;
        private const int VerdauxSize = 8;

        /// <summary>The <c>e_machine</c> field (62 = x86-64, 183 = AArch64).</summary>
        public static ushort ReadMachine(byte[] image)
        {
            CheckHeader(image);
            return U16(image, 18);
        }

        /// <summary>Every version requirement of the library, in file order.</summary>
        public static IReadOnlyList<ElfVersionNeed> ReadVersionNeeds(byte[] image)
        {
            var needs = new List<ElfVersionNeed>();
            List<Section> sections = ReadSections(image);
            foreach (Section section in sections)
            {
                if (section.Type != ShtGnuVerneed)
                {
                    continue;
                }
                Section strings = StringTableOf(sections, section);
                long entry = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    string where = ".gnu.version_r entry " + i.ToString(CultureInfo.InvariantCulture);
                    CheckRange(section, entry, VerneedSize, where);
                    ushort version = U16(image, entry);
                    if (version != 1)
                    {
                        throw Bad(where + ": vn_version is " + version.ToString(CultureInfo.InvariantCulture) + ", expected 1", entry);
                    }
                    ushort count = U16(image, entry + 2);
                    string fileName = ReadString(image, strings, U32(image, entry + 4), where + " vn_file");
                    long aux = entry + U32(image, entry + 8);
                    for (int j = 0; j < count; j++)
                    {
                        string auxWhere = where + " aux " + j.ToString(CultureInfo.InvariantCulture);
                        CheckRange(section, aux, VernauxSize, auxWhere);
                        uint hash = U32(image, aux);
                        ushort flags = U16(image, aux + 4);
                        string name = ReadString(image, strings, U32(image, aux + 8), auxWhere + " vna_name");
                        if (hash != ElfHash(name))
                        {
                            throw Bad(auxWhere + ": vna_hash does not match the hash of '" + name + "'", aux);
                        }
                        needs.Add(new ElfVersionNeed(fileName, name, flags, aux + 4));
                        uint next = U32(image, aux + 12);
                        if (next == 0 && j != count - 1)
                        {
                            throw Bad(auxWhere + ": vna_next ends the chain before vn_cnt entries", aux);
                        }
                        aux += next;
                    }
                    uint nextNeed = U32(image, entry + 12);
                    if (nextNeed == 0 && i != section.Info - 1)
                    {
                        throw Bad(where + ": vn_next ends the chain before sh_info entries", entry);
                    }
                    entry += nextNeed;
                }
            }
            return needs;
        }

        /// <summary>The version names a library defines (its <c>SHT_GNU_verdef</c> entries), e.g. <c>GLIBCXX_3.4.30</c>.</summary>
        public static IReadOnlyList<string> ReadVersionDefinitions(byte[] image)
        {
            var names = new List<string>();
            List<Section> sections = ReadSections(image);
            foreach (Section section in sections)
            {
                if (section.Type != ShtGnuVerdef)
                {
                    continue;
                }
                Section strings = StringTableOf(sections, section);
                long entry = section.Offset;
                for (uint i = 0; i < section.Info; i++)
                {
                    string where = ".gnu.version_d entry " + i.ToString(CultureInfo.InvariantCulture);
                    CheckRange(section, entry, VerdefSize, where);
                    if (U16(image, entry) != 1)
                    {
                        throw Bad(where + ": vd_version is not 1", entry);
                    }
                    ushort count = U16(image, entry + 6);
                    if (count > 0)
                    {
                        // The first Verdaux names the version; later ones name its parents.
                        long aux = entry + U32(image, entry + 12);
                        CheckRange(section, aux, VerdauxSize, where + " aux 0");
                        names.Add(ReadString(image, strings, U32(image, aux), where + " vda_name"));
                    }
                    uint next = U32(image, entry + 16);
                    if (next == 0 && i != section.Info - 1)
                    {
                        throw Bad(where + ": vd_next ends the chain before sh_info entries", entry);
                    }
                    entry += next;
                }
            }
            return names;
        }

        /// <summary>
        /// Sets <c>VER_FLG_WEAK</c> on the requirement named <paramref name="versionName"/>. The file is
        /// never written in place: the patched bytes go to a new file beside it that then replaces it
        /// by rename, so a hard link or symbolic link into a package cache is broken, never written
        /// through. The new file keeps the old one's last-write time, so MSBuild's incremental copy
        /// (same size and time) leaves it alone on the next build.
        /// </summary>
        public static WeakenOutcome MarkVersionNeedWeak(string path, string versionName)
        {
            byte[] image = File.ReadAllBytes(path);
            int matches = 0;
            int marked = 0;
            foreach (ElfVersionNeed need in ReadVersionNeeds(image))
            {
                if (!string.Equals(need.VersionName, versionName, StringComparison.Ordinal))
                {
                    continue;
                }
                matches++;
                if (!need.IsWeak)
                {
                    ushort flags = (ushort)(need.Flags | VerFlagWeak);
                    image[need.FlagsOffset] = (byte)(flags & 0xff);
                    image[need.FlagsOffset + 1] = (byte)(flags >> 8);
                    marked++;
                }
            }
            if (matches == 0)
            {
                return WeakenOutcome.NotRequired;
            }
            if (marked == 0)
            {
                return WeakenOutcome.AlreadyWeak;
            }

            DateTime lastWriteUtc = File.GetLastWriteTimeUtc(path);
            string temporary = path + ".perfsage-" + Guid.NewGuid().ToString("N") + ".tmp";
            try
            {
                // File.Copy keeps the mode bits; the content is then overwritten whole.
                File.Copy(path, temporary, overwrite: false);
                using (var stream = new FileStream(temporary, FileMode.Truncate, FileAccess.Write, FileShare.None))
                {
                    stream.Write(image, 0, image.Length);
                }
                File.SetLastWriteTimeUtc(temporary, lastWriteUtc);
                // rename(2): replaces the directory entry (a link stays pointing at the untouched original).
                File.Replace(temporary, path, null);
            }
            finally
            {
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }
            }
            return WeakenOutcome.MarkedWeak;
        }

        /// <summary>
        /// Finds the library the dynamic loader would pick for <paramref name="soname"/> for a process of
        /// machine <paramref name="machine"/>: the directories in <paramref name="libraryPath"/> (the
        /// value of <c>LD_LIBRARY_PATH</c>), then <c>/etc/ld.so.cache</c>, then the usual system
        /// directories; a file of another machine is skipped, as the loader skips it. Null when none is found.
        /// </summary>
        public static string? FindHostLibrary(string soname, ushort machine, string? libraryPath)
        {
            var candidates = new List<string>();
            if (!string.IsNullOrEmpty(libraryPath))
            {
                foreach (string dir in libraryPath!.Split(':'))
                {
                    if (dir.Length > 0)
                    {
                        candidates.Add(Path.Combine(dir, soname));
                    }
                }
            }
            candidates.AddRange(LdCacheEntries("/etc/ld.so.cache", soname));
            foreach (string dir in new[]
                     {
                         "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
                         "/usr/lib/aarch64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib",
                     })
            {
                candidates.Add(Path.Combine(dir, soname));
            }

            foreach (string candidate in candidates)
            {
                if (!File.Exists(candidate))
                {
                    continue;
                }
                try
                {
                    if (ReadMachine(ReadHeaderBytes(candidate)) == machine)
                    {
                        return candidate;
                    }
                }
                catch (InvalidDataException)
                {
                    // Not an ELF64 little-endian file (e.g. a linker script): the loader skips it too.
                }
            }
            return null;
        }

        /// <summary>
        /// Decides whether a library (its bytes in <paramref name="libraryImage"/>) needs its requirement on
        /// <paramref name="versionName"/> marked weak on this host: true when it requires the version from
        /// some dependency and the host copy of that dependency (found as the loader would, see
        /// <see cref="FindHostLibrary"/>; returned in <paramref name="hostLibrary"/>) does not define the
        /// version, or no host copy exists.
        /// </summary>
        public static bool HostLacksRequiredVersion(byte[] libraryImage, string versionName, out string? hostLibrary) =>
            HostLacksRequiredVersion(libraryImage, versionName, Environment.GetEnvironmentVariable("LD_LIBRARY_PATH"), out hostLibrary);

        /// <summary>As above, with the loader's search path given instead of read from the environment.</summary>
        public static bool HostLacksRequiredVersion(byte[] libraryImage, string versionName, string? libraryPath, out string? hostLibrary)
        {
            hostLibrary = null;
            string? neededFrom = null;
            foreach (ElfVersionNeed need in ReadVersionNeeds(libraryImage))
            {
                if (string.Equals(need.VersionName, versionName, StringComparison.Ordinal))
                {
                    neededFrom = need.FileName;
                }
            }
            if (neededFrom is null)
            {
                return false;
            }
            hostLibrary = FindHostLibrary(neededFrom, ReadMachine(libraryImage), libraryPath);
            if (hostLibrary is null)
            {
                return true;
            }
            foreach (string defined in ReadVersionDefinitions(File.ReadAllBytes(hostLibrary)))
            {
                if (string.Equals(defined, versionName, StringComparison.Ordinal))
                {
                    return false;
                }
            }
            return true;
        }

        /// <summary>The System V ELF hash, stored in <c>vna_hash</c> and <c>vd_hash</c>.</summary>
        public static uint ElfHash(string name)
        {
            uint h = 0;
            foreach (char c in name)
            {
                h = (h << 4) + (byte)c;
                uint g = h & 0xf0000000u;
                if (g != 0)
                {
                    h ^= g >> 24;
                }
                h &= ~g;
            }
            return h;
        }

        /// <summary>
        /// Library paths whose name is <paramref name="soname"/> in a glibc loader cache of the
        /// "glibc-ld.so.cache1.1" format (header 48 bytes: magic[17], version[3], nlibs u32 @20,
        /// len_strings u32 @24, ...; then nlibs entries of 24 bytes: flags i32, key u32, value u32,
        /// osversion u32, hwcap u64; key and value are offsets from the start of the file).
        /// Other formats yield nothing.
        /// </summary>
        internal static IReadOnlyList<string> LdCacheEntries(string cachePath, string soname)
        {
            var found = new List<string>();
            byte[] cache;
            try
            {
                cache = File.ReadAllBytes(cachePath);
            }
            catch (IOException)
            {
                return found;
            }
            catch (UnauthorizedAccessException)
            {
                return found;
            }
            const string Magic = "glibc-ld.so.cache1.1";
            const int HeaderSize = 48;
            const int EntrySize = 24;
            if (cache.Length < HeaderSize || !string.Equals(Encoding.ASCII.GetString(cache, 0, Magic.Length), Magic, StringComparison.Ordinal))
            {
                return found;
            }
            uint count = U32(cache, 20);
            if (count > (cache.Length - HeaderSize) / EntrySize)
            {
                return found;
            }
            for (long i = 0; i < count; i++)
            {
                long entry = HeaderSize + (i * EntrySize);
                string? key = CString(cache, U32(cache, entry + 4));
                string? value = CString(cache, U32(cache, entry + 8));
                if (key is not null && value is not null && string.Equals(key, soname, StringComparison.Ordinal))
                {
                    found.Add(value);
                }
            }
            return found;
        }

        private static byte[] ReadHeaderBytes(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var header = new byte[EhdrSize];
            int read = 0;
            while (read < header.Length)
            {
                int n = stream.Read(header, read, header.Length - read);
                if (n == 0)
                {
                    break;
                }
                read += n;
            }
            if (read < header.Length)
            {
                Array.Resize(ref header, read);
            }
            return header;
        }

        private static string? CString(byte[] data, uint offset)
        {
            if (offset >= data.Length)
            {
                return null;
            }
            int end = Array.IndexOf(data, (byte)0, (int)offset);
            return end < 0 ? null : Encoding.ASCII.GetString(data, (int)offset, end - (int)offset);
        }

        private readonly struct Section
        {
            public Section(int index, uint type, long offset, long size, uint link, uint info)
            {
                Index = index;
                Type = type;
                Offset = offset;
                Size = size;
                Link = link;
                Info = info;
            }

            public int Index { get; }

            public uint Type { get; }

            public long Offset { get; }

            public long Size { get; }

            public uint Link { get; }

            public uint Info { get; }
        }

        private static void CheckHeader(byte[] image)
        {
            if (image.Length < EhdrSize || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
            {
                throw Bad("not an ELF file (magic or header size)", 0);
            }
            if (image[4] != 2)
            {
                throw Bad("not a 64-bit ELF file (EI_CLASS is not ELFCLASS64)", 4);
            }
            if (image[5] != 1)
            {
                throw Bad("not a little-endian ELF file (EI_DATA is not ELFDATA2LSB)", 5);
            }
        }

        private static List<Section> ReadSections(byte[] image)
        {
            CheckHeader(image);
            ulong tableOffset = U64(image, 40);
            ushort entrySize = U16(image, 58);
            long count = U16(image, 60);
            if (tableOffset == 0)
            {
                throw Bad("the file has no section header table (e_shoff is 0)", 40);
            }
            if (entrySize != ShdrSize)
            {
                throw Bad("e_shentsize is not 64", 58);
            }
            if (tableOffset > (ulong)image.Length)
            {
                throw Bad("e_shoff points past the end of the file", 40);
            }
            if (count == 0)
            {
                // More than 0xff00 sections: the real count is in section 0's sh_size.
                CheckFileRange(image, (long)tableOffset, ShdrSize, "section header 0");
                count = (long)U64(image, (long)tableOffset + 32);
            }
            if (count > ((long)image.Length - (long)tableOffset) / ShdrSize)
            {
                throw Bad("the section header table runs past the end of the file", 40);
            }

            var sections = new List<Section>((int)count);
            for (int i = 0; i < count; i++)
            {
                long at = (long)tableOffset + ((long)i * ShdrSize);
                uint type = U32(image, at + 4);
                ulong offset = U64(image, at + 24);
                ulong size = U64(image, at + 32);
                const uint ShtNobits = 8;
                if (type != ShtNobits && type != 0 && (offset > (ulong)image.Length || size > (ulong)image.Length - offset))
                {
                    throw Bad("section " + i.ToString(CultureInfo.InvariantCulture) + " lies outside the file", at + 24);
                }
                sections.Add(new Section(i, type, (long)offset, (long)size, U32(image, at + 40), U32(image, at + 44)));
            }
            return sections;
        }

        private static Section StringTableOf(List<Section> sections, Section section)
        {
            if (section.Link == 0 || section.Link >= sections.Count || sections[(int)section.Link].Type != ShtStrtab)
            {
                throw Bad("section " + section.Index.ToString(CultureInfo.InvariantCulture) + ": sh_link does not name a string table", 0);
            }
            return sections[(int)section.Link];
        }

        private static string ReadString(byte[] image, Section strings, uint offset, string where)
        {
            if (offset >= strings.Size)
            {
                throw Bad(where + ": string offset past the end of the string table", strings.Offset);
            }
            long start = strings.Offset + offset;
            long end = start;
            long limit = strings.Offset + strings.Size;
            while (end < limit && image[end] != 0)
            {
                end++;
            }
            if (end == limit)
            {
                throw Bad(where + ": string is not terminated inside the string table", start);
            }
            return Encoding.ASCII.GetString(image, (int)start, (int)(end - start));
        }

        private static void CheckRange(Section section, long at, int length, string where)
        {
            if (at < section.Offset || at + length > section.Offset + section.Size)
            {
                throw Bad(where + " lies outside its section", at);
            }
        }

        private static void CheckFileRange(byte[] image, long at, int length, string where)
        {
            if (at < 0 || at + length > image.Length)
            {
                throw Bad(where + " lies outside the file", at);
            }
        }

        private static ushort U16(byte[] b, long at) => (ushort)(b[at] | (b[at + 1] << 8));

        private static uint U32(byte[] b, long at) => (uint)(b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24));

        private static ulong U64(byte[] b, long at) => U32(b, at) | ((ulong)U32(b, at + 4) << 32);

        private static InvalidDataException Bad(string reason, long offset) =>
            new InvalidDataException("ELF: " + reason + " (byte offset " + offset.ToString(CultureInfo.InvariantCulture) + ")");
    }
}

#if !NETCOREAPP
namespace PerfSage.Build
{
    using Microsoft.Build.Framework;
    using PerfSage.Model.Native;

    /// <summary>
    /// MSBuild task: for each file in <see cref="Files"/> (copies of libLibTorchSharp.so in an output
    /// folder), marks the requirement on <see cref="VersionName"/> weak when <see cref="Mode"/> is
    /// <c>always</c>, or when it is <c>auto</c> and the host's libstdc++ does not define the version.
    /// </summary>
    public sealed class MarkElfVersionNeedWeak : Microsoft.Build.Utilities.Task
    {
        [Required]
        public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();

        public string VersionName { get; set; } = "GLIBCXX_3.4.32";

        /// <summary><c>auto</c> (default), <c>always</c> or <c>never</c>.</summary>
        public string Mode { get; set; } = "auto";

        public override bool Execute()
        {
            if (string.Equals(Mode, "never", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
            bool always = string.Equals(Mode, "always", StringComparison.OrdinalIgnoreCase);
            if (!always && !string.Equals(Mode, "auto", StringComparison.OrdinalIgnoreCase))
            {
                Log.LogError("{0}", "PerfSageWeakGlibcxx must be auto, always or never, not '" + Mode + "'.");
                return false;
            }
            foreach (ITaskItem item in Files)
            {
                string path = item.GetMetadata("FullPath");
                if (!File.Exists(path))
                {
                    continue;
                }
                try
                {
                    byte[] image = File.ReadAllBytes(path);
                    bool required = false;
                    bool strong = false;
                    foreach (ElfVersionNeed need in ElfVersionPatcher.ReadVersionNeeds(image))
                    {
                        if (string.Equals(need.VersionName, VersionName, StringComparison.Ordinal))
                        {
                            required = true;
                            strong |= !need.IsWeak;
                        }
                    }
                    if (!required || !strong)
                    {
                        Log.LogMessage(MessageImportance.Low, "{0}", path + ": " + VersionName + (required ? " requirement already weak." : " not required."));
                        continue;
                    }
                    string? host = null;
                    if (!always && !ElfVersionPatcher.HostLacksRequiredVersion(image, VersionName, out host))
                    {
                        Log.LogMessage(MessageImportance.Low, "{0}", path + ": left as shipped, " + host + " provides " + VersionName + ".");
                        continue;
                    }
                    ElfVersionPatcher.MarkVersionNeedWeak(path, VersionName);
                    Log.LogMessage(MessageImportance.Normal, "{0}", path + ": marked the " + VersionName + " requirement weak (host libstdc++: " + (host ?? (always ? "not checked" : "not found")) + ").");
                }
                catch (InvalidDataException e)
                {
                    Log.LogError("{0}", path + ": " + e.Message);
                }
                catch (IOException e)
                {
                    Log.LogError("{0}", path + ": could not patch: " + e.Message);
                }
                catch (UnauthorizedAccessException e)
                {
                    Log.LogError("{0}", path + ": could not patch: " + e.Message);
                }
            }
            return !Log.HasLoggedErrors;
        }
    }
}
#endif
