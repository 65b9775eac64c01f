package dev.upsert.quarkus.it;

import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

/**
 * A plain entity with a sequence id: its insert runs at flush, so a duplicate email fails at the JTA commit when
 * nothing flushes earlier. Written through {@link MemberRepository}.
 */
@Entity
@Table(name = "member", uniqueConstraints = @UniqueConstraint(name = "member_email_uq", columnNames = "email"))
public class Member {

    @Id
    @GeneratedValue(strategy = GenerationType.SEQUENCE)
    public Long id;

    public String email;

    public static Member of(String email) {
        Member member = new Member();
        member.email = email;
        return member;
    }
}
