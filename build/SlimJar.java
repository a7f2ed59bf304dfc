import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Rewrites the shaded jar in place, after the shade plugin and before the class archive is recorded
 * (pom.xml): every class file loses its local variable tables, and a class file older than Java 6 is
 * raised to Java 8's format with its stack map frames computed.
 *
 * <ul>
 * <li>The local variable tables (names and types of local variables, for debuggers) are kept by the JVM
 * for every method of every loaded class, in the class archive Tidegate maps at start, and all of that
 * archive is resident. Without them the archive is 2.2 MB smaller and so is Tidegate's idle memory
 * (README, "Performance"). Stack traces keep their file names and line numbers.
 * <li>The JVM leaves classes older than Java 6 out of the class archive and loads them from the jar at
 * every start (picocli's are Java 5 class files: 175 of them are loaded before Tidegate reads its
 * arguments). Raised to Java 8's format, with the stack map frames that format requires, they are
 * archived like the rest.
 * </ul>
 *
 * <p>Usage (Java's source launcher, ASM on the class path): {@code java -cp asm.jar build/SlimJar.java target/tidegate.jar}
 */
public final class SlimJar {
    private static final int JAVA_6 = 50;

    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            System.err.println("usage: java -cp asm.jar build/SlimJar.java path/to/tidegate.jar");
            System.exit(2);
        }
        Path jar = Path.of(args[0]);
        Path slim = jar.resolveSibling(jar.getFileName() + ".slim");
        long before = 0;
        long after = 0;
        int classes = 0;
        int raised = 0;
        try (URLClassLoader hierarchy = new URLClassLoader(new URL[] {jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader());
                ZipInputStream in = new ZipInputStream(Files.newInputStream(jar));
                ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(slim))) {
            for (ZipEntry entry; (entry = in.getNextEntry()) != null; ) {
                byte[] bytes = in.readAllBytes();
                if (entry.getName().endsWith(".class") && !entry.getName().endsWith("module-info.class")) {
                    ClassReader reader = new ClassReader(bytes);
                    boolean old = reader.readUnsignedShort(6) < JAVA_6;
                    byte[] rewritten = rewrite(reader, old, hierarchy);
                    before += bytes.length;
                    after += rewritten.length;
                    classes++;
                    raised += old ? 1 : 0;
                    bytes = rewritten;
                }
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                out.putNextEntry(copy);
                out.write(bytes);
                out.closeEntry();
            }
        }
        Files.move(slim, jar, StandardCopyOption.REPLACE_EXISTING);
        System.out.printf("slim jar: %s: %,d class files without local variable tables (%,d to %,d bytes), %d raised to Java 8's format%n",
                jar, classes, before, after, raised);
    }

    private static byte[] rewrite(ClassReader reader, boolean old, ClassLoader hierarchy) {
        // no reader given to the writer: the constant pool is built anew, without the tables' names and types
        ClassWriter writer = old ? new FramesComputingWriter(hierarchy) : new ClassWriter(0);
        reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                super.visit(old ? Opcodes.V1_8 : version, access, name, signature, superName, interfaces);
            }

            @Override
            public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
                return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, name, descriptor, signature, exceptions)) {
                    @Override
                    public void visitLocalVariable(String name, String descriptor, String signature, Label start, Label end, int index) {
                        // left out: see the class comment
                    }
                };
            }
        }, old ? ClassReader.SKIP_FRAMES : 0);
        return writer.toByteArray();
    }

    /** Computes stack map frames, finding common superclasses among the jar's own classes and the JDK's. */
    private static final class FramesComputingWriter extends ClassWriter {
        private final ClassLoader hierarchy;

        FramesComputingWriter(ClassLoader hierarchy) {
            super(ClassWriter.COMPUTE_FRAMES);
            this.hierarchy = hierarchy;
        }

        @Override
        protected ClassLoader getClassLoader() {
            return hierarchy;
        }
    }

    private SlimJar() {}
}
