using System.Diagnostics;
using PerfSage.Model.Native;
using Xunit;

namespace PerfSage.Model.Tests.Native;

public sealed class ElfVersionPatcherTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("perfsage-elf-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static ElfImageBuilder TorchSharpLike() =>
        new ElfImageBuilder()
            .Need("libc.so.6", ("GLIBC_2.2.5", 0), ("GLIBC_2.34", 0))
            .Need("libstdc++.so.6", ("GLIBCXX_3.4.30", 0), ("GLIBCXX_3.4.32", 0), ("CXXABI_1.3", 0));

    [Fact]
    public void Elf_hash_matches_values_written_by_a_real_linker()
    {
        // vna_hash bytes read from libLibTorchSharp.so 0.107.0 (.gnu.version_r at 0x3f8f0):
        // GLIBC_2.3 -> 13 69 69 0d, GLIBC_2.2.5 -> 75 1a 69 09.
        Assert.Equal(0x0d696913u, ElfVersionPatcher.ElfHash("GLIBC_2.3"));
        Assert.Equal(0x09691a75u, ElfVersionPatcher.ElfHash("GLIBC_2.2.5"));
        // By hand: "ab" = (0x61 << 4) + 0x62 = 0x672.
        Assert.Equal(0x672u, ElfVersionPatcher.ElfHash("ab"));
    }

    [Fact]
    public void Reads_every_requirement_with_its_file_flags_and_offset()
    {
        var builder = TorchSharpLike();
        builder.Need("libm.so.6", ("GLIBC_2.2.5", 0x2));
        byte[] image = builder.Build();

        IReadOnlyList<ElfVersionNeed> needs = ElfVersionPatcher.ReadVersionNeeds(image);

        Assert.Equal(
            ["libc.so.6/GLIBC_2.2.5", "libc.so.6/GLIBC_2.34", "libstdc++.so.6/GLIBCXX_3.4.30",
             "libstdc++.so.6/GLIBCXX_3.4.32", "libstdc++.so.6/CXXABI_1.3", "libm.so.6/GLIBC_2.2.5"],
            needs.Select(n => n.FileName + "/" + n.VersionName));
        Assert.Equal([false, false, false, false, false, true], needs.Select(n => n.IsWeak));
        // Verneed libc (16) + 2 aux (32) = 48; Verneed libstdc++ at +48, its second aux at +48+16+16 = +80;
        // vna_flags is 4 bytes into the aux entry.
        Assert.Equal(builder.VerneedOffset + 80 + 4, needs[3].FlagsOffset);
    }

    [Fact]
    public void Marking_weak_sets_exactly_one_flag_bit_and_is_idempotent()
    {
        var builder = TorchSharpLike();
        byte[] original = builder.Build();
        string path = Path.Combine(dir, "lib.so");
        File.WriteAllBytes(path, original);
        var stamp = new DateTime(2024, 5, 1, 12, 0, 0, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(path, stamp);

        Assert.Equal(WeakenOutcome.MarkedWeak, ElfVersionPatcher.MarkVersionNeedWeak(path, "GLIBCXX_3.4.32"));

        byte[] patched = File.ReadAllBytes(path);
        int flagsAt = builder.VerneedOffset + 80 + 4;
        Assert.Equal(original.Length, patched.Length);
        int[] changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToArray();
        Assert.Equal([flagsAt], changed);
        Assert.Equal(0x2, patched[flagsAt]);
        Assert.Equal(stamp, File.GetLastWriteTimeUtc(path));
        Assert.Single(ElfVersionPatcher.ReadVersionNeeds(patched), n => n.IsWeak);

        Assert.Equal(WeakenOutcome.AlreadyWeak, ElfVersionPatcher.MarkVersionNeedWeak(path, "GLIBCXX_3.4.32"));
        Assert.Equal(patched, File.ReadAllBytes(path));
        Assert.Equal(WeakenOutcome.NotRequired, ElfVersionPatcher.MarkVersionNeedWeak(path, "GLIBCXX_3.4.99"));
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void Other_flag_bits_are_kept()
    {
        var builder = new ElfImageBuilder().Need("libstdc++.so.6", ("GLIBCXX_3.4.32", 0x1));
        string path = Path.Combine(dir, "lib.so");
        File.WriteAllBytes(path, builder.Build());

        ElfVersionPatcher.MarkVersionNeedWeak(path, "GLIBCXX_3.4.32");

        Assert.Equal(0x3, ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(path)).Single().Flags);
    }

    [SkippableFact]
    public void A_symbolic_link_is_replaced_by_a_patched_copy_and_its_target_is_untouched()
    {
        Skip.IfNot(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS(), "needs symbolic links");
        byte[] original = TorchSharpLike().Build();
        string cache = Path.Combine(dir, "cache.so");
        string output = Path.Combine(dir, "output.so");
        File.WriteAllBytes(cache, original);
        File.CreateSymbolicLink(output, cache);

        Assert.Equal(WeakenOutcome.MarkedWeak, ElfVersionPatcher.MarkVersionNeedWeak(output, "GLIBCXX_3.4.32"));

        Assert.Null(new FileInfo(output).LinkTarget);
        Assert.Equal(original, File.ReadAllBytes(cache));
        Assert.Contains(ElfVersionPatcher.ReadVersionNeeds(File.ReadAllBytes(output)), n => n.VersionName == "GLIBCXX_3.4.32" && n.IsWeak);
    }

    [SkippableFact]
    public void A_hard_link_is_broken_before_patching_and_the_other_name_is_untouched()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "uses ln");
        byte[] original = TorchSharpLike().Build();
        string cache = Path.Combine(dir, "cache.so");
        string output = Path.Combine(dir, "output.so");
        File.WriteAllBytes(cache, original);
        using (Process ln = Process.Start("ln", [cache, output]))
        {
            ln.WaitForExit();
            Assert.Equal(0, ln.ExitCode);
        }

        ElfVersionPatcher.MarkVersionNeedWeak(output, "GLIBCXX_3.4.32");

        Assert.Equal(original, File.ReadAllBytes(cache));
        Assert.NotEqual(original, File.ReadAllBytes(output));
    }

    [Fact]
    public void Reads_version_definitions()
    {
        byte[] image = new ElfImageBuilder().Define("libstdc++.so.6", "GLIBCXX_3.4", "GLIBCXX_3.4.30").Build();

        Assert.Equal(["libstdc++.so.6", "GLIBCXX_3.4", "GLIBCXX_3.4.30"], ElfVersionPatcher.ReadVersionDefinitions(image));
        Assert.Empty(ElfVersionPatcher.ReadVersionNeeds(image));
    }

    [Fact]
    public void Rejects_files_that_are_not_elf64_little_endian()
    {
        byte[] image = TorchSharpLike().Build();
        byte[] notElf = (byte[])image.Clone();
        notElf[1] = (byte)'X';
        byte[] elf32 = (byte[])image.Clone();
        elf32[4] = 1;
        byte[] bigEndian = (byte[])image.Clone();
        bigEndian[5] = 2;

        Assert.Contains("not an ELF file", Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(notElf)).Message);
        Assert.Contains("64-bit", Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(elf32)).Message);
        Assert.Contains("little-endian", Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(bigEndian)).Message);
        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(image.AsSpan(0, 40).ToArray()));
    }

    [Fact]
    public void Rejects_offsets_that_leave_the_section_or_the_file()
    {
        var builder = TorchSharpLike();
        byte[] image = builder.Build();

        byte[] auxOutside = (byte[])image.Clone();
        ElfImageBuilder.Write32(auxOutside, builder.VerneedOffset + 8, 0x10000); // vn_aux far past the section
        Assert.Contains("outside its section", Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(auxOutside)).Message);

        byte[] tableOutside = (byte[])image.Clone();
        ElfImageBuilder.Write64(tableOutside, 40, (ulong)image.Length + 8); // e_shoff past the end
        Assert.Contains("e_shoff", Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(tableOutside)).Message);

        byte[] sectionOutside = (byte[])image.Clone();
        int verneedHeader = builder.SectionTableOffset + (2 * 64);
        ElfImageBuilder.Write64(sectionOutside, verneedHeader + 32, 1u << 20); // sh_size past the end
        Assert.Contains("outside the file", Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(sectionOutside)).Message);

        byte[] badName = (byte[])image.Clone();
        ElfImageBuilder.Write32(badName, builder.VerneedOffset + 16 + 8, 0xFFFF); // vna_name past the string table
        Assert.Contains("string table", Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(badName)).Message);

        byte[] badHash = (byte[])image.Clone();
        badHash[builder.VerneedOffset + 16] ^= 0x01; // vna_hash of the first aux
        Assert.Contains("vna_hash", Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(badHash)).Message);

        byte[] shortChain = (byte[])image.Clone();
        ElfImageBuilder.Write32(shortChain, builder.VerneedOffset + 12, 0); // vn_next = 0 although sh_info says 2
        Assert.Contains("vn_next", Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(shortChain)).Message);

        byte[] badLink = (byte[])image.Clone();
        ElfImageBuilder.Write32(badLink, verneedHeader + 40, 0); // sh_link = 0: no string table
        Assert.Contains("sh_link", Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.ReadVersionNeeds(badLink)).Message);
    }

    [Fact]
    public void A_corrupt_file_is_left_unchanged()
    {
        var builder = TorchSharpLike();
        byte[] image = builder.Build();
        ElfImageBuilder.Write32(image, builder.VerneedOffset + 8, 0x10000);
        string path = Path.Combine(dir, "lib.so");
        File.WriteAllBytes(path, image);

        Assert.Throws<InvalidDataException>(() => ElfVersionPatcher.MarkVersionNeedWeak(path, "GLIBCXX_3.4.32"));

        Assert.Equal(image, File.ReadAllBytes(path));
    }

    [Fact]
    public void Host_check_uses_the_dependency_found_on_the_library_path()
    {
        // A fake libstdc++.so.6 first on the library path (LD_LIBRARY_PATH) stands in for the host's copy.
        string oldHost = Path.Combine(dir, "old");
        string newHost = Path.Combine(dir, "new");
        Directory.CreateDirectory(oldHost);
        Directory.CreateDirectory(newHost);
        File.WriteAllBytes(Path.Combine(oldHost, "libstdc++.so.6"), new ElfImageBuilder().Define("libstdc++.so.6", "GLIBCXX_3.4.30").Build());
        File.WriteAllBytes(Path.Combine(newHost, "libstdc++.so.6"), new ElfImageBuilder().Define("libstdc++.so.6", "GLIBCXX_3.4.30", "GLIBCXX_3.4.32").Build());
        var arm = new ElfImageBuilder { Machine = 183 }.Define("GLIBCXX_3.4.32");
        string armHost = Path.Combine(dir, "arm");
        Directory.CreateDirectory(armHost);
        File.WriteAllBytes(Path.Combine(armHost, "libstdc++.so.6"), arm.Build());
        byte[] library = TorchSharpLike().Build();
        byte[] noCxx = new ElfImageBuilder().Need("libc.so.6", ("GLIBC_2.34", 0)).Build();

        Assert.True(ElfVersionPatcher.HostLacksRequiredVersion(library, "GLIBCXX_3.4.32", oldHost, out string? host));
        Assert.Equal(Path.Combine(oldHost, "libstdc++.so.6"), host);

        // An AArch64 copy first on the path is skipped, as the loader skips it.
        Assert.False(ElfVersionPatcher.HostLacksRequiredVersion(library, "GLIBCXX_3.4.32", armHost + ":" + newHost, out host));
        Assert.Equal(Path.Combine(newHost, "libstdc++.so.6"), host);

        Assert.False(ElfVersionPatcher.HostLacksRequiredVersion(noCxx, "GLIBCXX_3.4.32", oldHost, out host));
        Assert.Null(host);
    }

    [SkippableFact]
    public void Reads_the_loader_cache_of_this_machine()
    {
        Skip.IfNot(File.Exists("/etc/ld.so.cache") && File.Exists("/lib/x86_64-linux-gnu/libc.so.6"), "needs a glibc x86-64 host");

        IReadOnlyList<string> entries = ElfVersionPatcher.LdCacheEntries("/etc/ld.so.cache", "libc.so.6");

        Assert.Contains(entries, e => e.EndsWith("/libc.so.6", StringComparison.Ordinal) && File.Exists(e));
        Assert.Empty(ElfVersionPatcher.LdCacheEntries("/etc/ld.so.cache", "libdoes-not-exist.so.42"));
    }
}
