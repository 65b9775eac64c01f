package dev.upsert.quarkus.it;

import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import jakarta.persistence.UniqueConstraint;

import io.quarkus.hibernate.orm.panache.PanacheEntity;

/**
 * A plain entity with a sequence id (PanacheEntity's): its insert runs at flush, so a duplicate email fails at the JTA
 * commit when nothing flushes earlier. Written through {@link MemberRepository}.
 */
@Entity
@Table(name = "member", uniqueConstraints = @UniqueConstraint(name = "member_email_uq", columnNames = "email"))
public class Member extends PanacheEntity {

    public String email;

    public static Member of(String email) {
        Member member = new Member();
        member.email = email;
        return member;
    }
}
